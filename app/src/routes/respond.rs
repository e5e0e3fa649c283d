//! `/respond?token=…`: an email-only payer's registration contact answers one request through
//! the link mailed to it, without an account.
use crate::api::registration::respond_record;
use crate::components::form::{FormMessages, PendingForm, TextArea, TextField};
use crate::routes::accounts::{failed, query_value, utc_label};
use crate::routes::registration::{DenyForm, Steps, clock_label};
use crate::types::registration::{LinkStatus, RequestState, RespondPage};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RespondPageView() -> impl IntoView {
    let token = query_value("token");
    let page = Resource::new(move || token.get(), respond_record);
    view! {
        <Title text="Answer a registration request" />
        <div class="wrap page">
            <h1>"Answer a registration request"</h1>
            <FormMessages form="respond" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Respond page=p token=token.get_untracked() /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Respond(page: RespondPage, token: String) -> impl IntoView {
    let Some(r) = page.summary.clone().filter(|_| page.status == LinkStatus::Valid) else {
        let why = match page.status {
            LinkStatus::Used => {
                "This link was used already, or a newer one was sent. Each link answers once; the newest mail about the request has a new one when it is your turn."
            }
            LinkStatus::Replaced => {
                "This link no longer answers: the payer's registration contact changed, or the brand's requests are now answered on Signpost by its maintainer."
            }
            _ => "This link has expired. The newest mail about the request has a new one when it is your turn.",
        };
        return view! { <p class="notice">{why}</p> }.into_any();
    };
    let state = r.state;
    let open_to_payer = matches!(state, RequestState::Submitted | RequestState::InReview);
    let may_deny = open_to_payer || state == RequestState::NeedsInfo;
    let hidden = |t: &String| view! { <input type="hidden" name="token" value=t.clone() /> };
    let (t1, t2, t3, t4) = (token.clone(), token.clone(), token.clone(), token);
    view! {
        <p class="lede">{format!("{} asks {} for {} access for its app {}. {}", r.developer_org, r.brand, r.environment.as_str(), r.client_name, clock_label(&r))}</p>
        <p class="meta">{format!("The request is {}. This link works once, until {}.", state.label(), utc_label(page.expires_at))}</p>
        <p class="meta">{format!("Attestation when asked: {}", r.attestation_status.replace('_', " "))}{(r.attestation_status == "current").then(|| view! { " · " <a href=format!("/apps/{}", r.app_id)>"Its answers"</a> })}</p>
        <section class="card" aria-labelledby="registration-heading">
            <h2 id="registration-heading">"The app's registration (RFC 7591 client metadata)"</h2>
            <pre class="code-block">{page.registration.clone()}</pre>
        </section>
        <Steps steps=page.steps.clone() />
        {open_to_payer.then(|| view! {
            <section class="card" aria-labelledby="decide-heading">
                <h2 id="decide-heading">"Answer the request"</h2>
                {(state == RequestState::Submitted).then(|| view! {
                    <PendingForm action="/respond" class="stack">
                        {hidden(&t1)}
                        <button type="submit" name="intent" value="review" class="button secondary">"Start the review"</button>
                    </PendingForm>
                })}
                <PendingForm action="/respond" class="stack">
                    {hidden(&t2)}
                    <TextArea form="respond" name="question" label="Ask the developer" rows=3 />
                    <button type="submit" name="intent" value="ask" class="button secondary">"Ask for information"</button>
                </PendingForm>
                <PendingForm action="/respond" class="stack">
                    {hidden(&t3)}
                    <TextField form="respond" name="client_id" label="Client id issued" required=false maxlength=200 />
                    <TextArea form="respond" name="notes" label="Notes for the developer (never a secret)" rows=2 />
                    <button type="submit" name="intent" value="approve" class="button">"Approve"</button>
                </PendingForm>
            </section>
        })}
        {may_deny.then(|| view! {
            <DenyForm action="/respond".to_string() form="respond" token=Some(t4.clone())
                reasons=crate::types::registration::DENIAL_REASONS.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect() />
        })}
    }
    .into_any()
}
