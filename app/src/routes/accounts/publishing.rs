//! A payer organization's publishing section: its bundle's address, the published versions
//! with rollback, and the upload form with its preview (findings and per-brand changes).
use super::utc_label;
use crate::components::form::{FormMessages, PendingForm, SubmitButton, posted};
use crate::types::publishing::{BrandChangeKind, FeedInfo, PublishingInfo, UploadPreview};
use leptos::prelude::*;

fn kind_label(k: BrandChangeKind) -> &'static str {
    match k {
        BrandChangeKind::Added => "new brand",
        BrandChangeKind::Changed => "changed",
        BrandChangeKind::Unchanged => "unchanged",
        BrandChangeKind::Refused => "refused",
    }
}

#[component]
fn Preview(preview: UploadPreview) -> impl IntoView {
    let [errors, warnings, notes] = preview.finding_counts;
    view! {
        <section class="card" aria-labelledby="preview-heading">
            <h3 id="preview-heading">{if preview.blocked { "What blocks publishing" } else { "What publishing would do" }}</h3>
            <p>{format!("The validator found {errors} errors, {warnings} warnings and {notes} notes. Errors block publishing; warnings do not.")}</p>
            {(!preview.findings.is_empty()).then(|| view! {
                <ul class="findings">
                    {preview.findings.iter().take(200).map(|f| view! {
                        <li class=format!("finding finding-{}", f.severity.as_str())>
                            <strong>{f.severity.as_str()}</strong>" "{f.message.clone()}" "<code>{f.pointer.clone()}</code>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <table class="table diff">
                <caption class="visually-hidden">"Brands in the bundle"</caption>
                <thead><tr><th scope="col">"Brand"</th><th scope="col">"What happens"</th><th scope="col">"Changes"</th></tr></thead>
                <tbody>
                    {preview.brands.iter().map(|b| view! {
                        <tr>
                            <th scope="row">{match b.brand_id {
                                Some(id) => view! { <a href=format!("/brands/{id}")>{b.name.clone()}</a> }.into_any(),
                                None => view! { {b.name.clone()} }.into_any(),
                            }}</th>
                            <td>{kind_label(b.kind)}{b.problem.clone().map(|p| format!(": {p}"))}</td>
                            <td>
                                <ul class="plain">
                                    {b.fields.iter().take(50).map(|f| view! {
                                        <li>{format!("{}: {} → {}", f.label, f.before, f.after)}</li>
                                    }).collect_view()}
                                </ul>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!preview.left_out.is_empty()).then(|| view! {
                <p>{format!("Not in the bundle, so left as they are: {}.", preview.left_out.join(", "))}</p>
            })}
        </section>
    }
}

/// Publishing from the payer's own URL: preview it, publish it and have Signpost follow it.
#[component]
fn FeedSection(org: i32, feed: Option<FeedInfo>, typed: String) -> impl IntoView {
    view! {
        <h3>"Publish from your own address"</h3>
        <p class="hint">"If you host your bundle yourself, give its https address. After you publish it, Signpost fetches it every hour (with If-None-Match) and publishes what changed; a changed bundle with errors publishes nothing, and your members get a mail saying why."</p>
        {feed.map(|f| view! {
            <p>"Following "<code>{f.url.clone()}</code>". "
                {f.last_fetched_at.map(|t| format!("Last fetched {}: {}. ", utc_label(t), f.last_outcome))}
                {format!("Next fetch {}.", utc_label(f.next_fetch_at))}</p>
            <div class="actions">
                <PendingForm action=format!("/orgs/{org}/publish/feed?intent=refetch") class="inline">
                    <SubmitButton label="Fetch now" class="secondary small" />
                </PendingForm>
                <PendingForm action=format!("/orgs/{org}/publish/feed?intent=stop") class="inline">
                    <SubmitButton label="Stop following" class="secondary small" />
                </PendingForm>
            </div>
        })}
        <form method="post" action=format!("/orgs/{org}/publish/feed?intent=preview") class="stack">
            <FormMessages form="feed" />
            <div class="field">
                <label class="field-label" for="feed-url">"Bundle address"</label>
                <input class="input" id="feed-url" name="url" type="url" inputmode="url" maxlength="2048" required value=typed placeholder="https://example.org/brands.json" />
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">"Preview"</button>
                <button type="submit" class="button" formaction=format!("/orgs/{org}/publish/feed?intent=publish")>"Publish and follow"</button>
            </div>
        </form>
    }
}

#[component]
pub fn OrgPublishing(org: i32, info: PublishingInfo, member: bool) -> impl IntoView {
    let preview = posted("publish").and_then(|p| p.upload);
    let feed_preview = posted("feed").and_then(|p| p.upload);
    let typed_url = posted("feed").map(|p| p.value("url")).or_else(|| info.feed.as_ref().map(|f| f.url.clone()));
    let pasted = posted("publish").map(|p| p.value("bundle")).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="publishing-heading" id="publishing">
            <h2 id="publishing-heading">"Publishing"</h2>
            {match info.bundle_path.clone() {
                Some(path) => view! {
                    <p>"Your brands as a SMART brands bundle, for your smart-configuration's "<code>"user_access_brand_bundle"</code>": "
                        <a href=path.clone()>{path.clone()}</a></p>
                }.into_any(),
                None => view! { <p>"Nothing published yet. Publish by uploading a bundle below, or by editing a brand you maintain (its page's \"Propose a change\" applies your edits at once)."</p> }.into_any(),
            }}
            <FormMessages form="versions" />
            {(!info.versions.is_empty()).then(|| view! {
                <h3>"Versions"</h3>
                <ul class="plain-list">
                    {info.versions.iter().map(|v| {
                        let label = format!("Version {} · {} · {} brands · {}{}", v.version, v.kind, v.brand_count, utc_label(v.published_at),
                            if v.note.is_empty() { String::new() } else { format!(" · {}", v.note) });
                        let latest = info.versions.first().is_some_and(|f| f.version == v.version);
                        view! {
                            <li>
                                {label}
                                {(member && !latest).then(|| view! {
                                    <PendingForm action=format!("/orgs/{org}/publications/{}/rollback", v.version) class="inline">
                                        <SubmitButton label="Roll back to this" class="secondary small" />
                                    </PendingForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {member.then(|| view! {
                <h3>"Publish a bundle"</h3>
                <p class="hint">"Organizations named Organization/b<number> are the brands as Signpost publishes them (download your bundle above, edit it, upload it). Any other Organization is a new brand, allowed at a domain you have verified."</p>
                <form method="post" action=format!("/orgs/{org}/publish?intent=preview") enctype="multipart/form-data" class="stack">
                    <FormMessages form="publish" />
                    <div class="field">
                        <label class="field-label" for="publish-file">"Bundle file"</label>
                        <input class="input" id="publish-file" name="file" type="file" accept=".json,application/json,application/fhir+json" />
                    </div>
                    <div class="field">
                        <label class="field-label" for="publish-bundle">"Or paste it"</label>
                        <textarea class="input" id="publish-bundle" name="bundle" rows="6">{pasted}</textarea>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button secondary">"Preview"</button>
                        <button type="submit" class="button" formaction=format!("/orgs/{org}/publish?intent=publish")>"Publish"</button>
                    </div>
                </form>
            })}
            {preview.map(|p| view! { <Preview preview=p /> })}
            {member.then(|| view! { <FeedSection org=org feed=info.feed.clone() typed=typed_url.unwrap_or_default() /> })}
            {feed_preview.map(|p| view! { <Preview preview=p /> })}
            {member.then(|| view! { <LogoUpload org=org field="a brand's logo field" /> })}
        </section>
    }
}

/// Uploading a logo: a payer's for its brands, a developer's for its apps.
#[component]
pub fn LogoUpload(org: i32, field: &'static str) -> impl IntoView {
    view! {
        <h3>"Upload a logo"</h3>
        <p class="hint">{format!("PNG, JPEG or WebP, at most 1 MB and 4096 pixels a side; stored as PNG at most 512 pixels a side. Put the address you get in {field}.")}</p>
        <form method="post" action=format!("/orgs/{org}/logos") enctype="multipart/form-data" class="stack">
            <FormMessages form="logo" />
            <div class="field">
                <label class="field-label" for="logo-file">"Logo file"</label>
                <input class="input" id="logo-file" name="logo" type="file" accept="image/png,image/jpeg,image/webp" required />
            </div>
            <button type="submit" class="button secondary">"Upload the logo"</button>
        </form>
    }
}
