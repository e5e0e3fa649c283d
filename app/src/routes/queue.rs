//! `/orgs/:id/queue`: the payer organization's registration queue, filtered (state, age,
//! assignee, app, past the target) and sorted (time left on the clock, oldest, newest), with
//! bulk assignment to a member.
use crate::api::registration::payer_queue;
use crate::components::form::{FormMessages, PendingForm, SelectField, SubmitButton, TextField};
use crate::routes::accounts::{failed, query_value};
use crate::routes::registration::{RequestTable, param};
use crate::types::registration::{QueueFilter, RequestState};
use leptos::prelude::*;
use leptos_meta::Title;

/// Members to assign to, and "nobody".
pub(crate) fn assignee_options(members: &[(i32, String)]) -> Vec<(String, String)> {
    std::iter::once(("none".to_string(), "Nobody".to_string()))
        .chain(members.iter().map(|(id, email)| (id.to_string(), email.clone())))
        .collect()
}

/// "12 requests, 3 past the target", or how many of them the page shows.
fn shown(count: usize, total: u64, breached: u64) -> String {
    let plural = if total == 1 { "" } else { "s" };
    let mut text = if count as u64 == total {
        format!("{total} request{plural}")
    } else {
        format!("{total} request{plural}, the first {count} shown")
    };
    if breached > 0 {
        text.push_str(&format!(", {breached} past the target"));
    }
    text
}

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect()
}

#[component]
pub fn PayerQueuePage() -> impl IntoView {
    let org = param("id");
    let (state, older, assignee, app, breached, sort) = (
        query_value("state"),
        query_value("older_than_days"),
        query_value("assignee"),
        query_value("app"),
        query_value("breached"),
        query_value("sort"),
    );
    let filter = move || QueueFilter {
        state: state.get(),
        older_than_days: older.get(),
        assignee: assignee.get(),
        app: app.get(),
        breached: !breached.get().is_empty(),
        sort: sort.get(),
    };
    let page = Resource::new(move || (org.get(), filter()), |(o, f)| payer_queue(o, f));
    view! {
        <Title text="Registration queue" />
        <div class="wrap page">
            <h1>"Registration queue"</h1>
            <p class="lede">"Apps asking your organization for access. By default the open requests, the shortest time left on the clock first."</p>
            <FormMessages form="queue" />
            <Suspense fallback=|| view! { <p class="status">"One moment…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let f = p.filter.clone();
                            let mut states = vec![("open".to_string(), "Open".to_string()), ("all".to_string(), "All".to_string())];
                            states.extend(RequestState::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())));
                            let mut who = options(&[("", "Anyone"), ("me", "Me"), ("none", "Nobody")]);
                            who.extend(p.members.iter().map(|(id, e)| (id.to_string(), e.clone())));
                            let action = format!("/orgs/{}/queue", p.organization_id);
                            let assign = format!("/orgs/{}/queue/assign", p.organization_id);
                            let count = p.rows.len();
                            view! {
                                <PendingForm action=action method="get" class="filters">
                                    <SelectField form="queue-filter" name="state" label="State" options=states selected=f.state.clone() />
                                    <TextField form="queue-filter" name="older_than_days" label="Made at least (days ago)" value=f.older_than_days.clone() required=false maxlength=4 />
                                    <SelectField form="queue-filter" name="assignee" label="Assigned to" options=who selected=f.assignee.clone() />
                                    <TextField form="queue-filter" name="app" label="App" value=f.app.clone() required=false maxlength=100 />
                                    <label class="check" for="queue-breached"><input type="checkbox" id="queue-breached" name="breached" value="1" checked=f.breached />" Past the target only"</label>
                                    <SelectField form="queue-filter" name="sort" label="Sort by" options=options(&[("left", "Time left on the clock"), ("oldest", "Oldest first"), ("newest", "Newest first")]) selected=f.sort.clone() />
                                    <SubmitButton label="Show" />
                                </PendingForm>
                                <p role="status">{shown(count, p.total, p.breached)}</p>
                                {(count > 0).then(|| view! {
                                    <PendingForm action=assign class="stack">
                                        <RequestTable rows=p.rows.clone() payer_view=true select=true />
                                        <SelectField form="queue" name="assignee" label="Assign the selected requests to" options=assignee_options(&p.members) selected="none" />
                                        <button type="submit" class="button secondary">"Assign the selected"</button>
                                    </PendingForm>
                                })}
                            }.into_any()
                        }
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </div>
    }
}
