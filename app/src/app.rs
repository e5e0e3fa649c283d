use crate::components::hydration::{DeferredHydration, HydrationMark};
use crate::components::layout::{SiteFooter, SiteHeader};
use crate::routes::accounts::{
    admin::{AdminAccountsPage, AuditLogPage},
    auth::{ForgotPage, LogInPage, SignUpPage},
    claims::{AdminClaimsPage, ClaimConfirmPage},
    links::{ConfirmEmailPage, InvitationPage, ResetPage, VerifyPage},
    orgs::OrganizationPage,
    settings::AccountSettingsPage,
};
use crate::routes::{
    alerts::{ConfirmPage, UnsubscribePage},
    brand::BrandPage,
    check::CheckPage,
    endpoint::EndpointPage,
    not_found::NotFound,
    proposals::{
        form::{EditProposalPage, NewBrandPage, ProposeChangePage, ReviewProposalPage},
        lists::{BrandHistoryPage, ModerationPage, MyProposalsPage, NeedsAttentionPage},
        report::ReportPage,
        view::ProposalPage,
    },
    search::SearchPage,
    validate::ValidatePage,
};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::csp::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <DeferredHydration options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/signpost.css" />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="description" content="Signpost: find and check the FHIR Patient Access endpoints of US health plans and providers." />
        <Meta name="theme-color" content="#0b4f6c" />
        <Title formatter=|t: String| if t.is_empty() { "Signpost".to_string() } else { format!("{t} · Signpost") } />
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <SiteHeader />
            <main id="content" tabindex="-1">
                <Routes fallback=NotFound>
                    // Async: the whole page is rendered before it is sent, so it reads the same
                    // with JavaScript off and a missing brand gets its 404 status.
                    <Route path=path!("/") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/brands/:id") view=BrandPage ssr=SsrMode::Async />
                    <Route path=path!("/endpoints/:id") view=EndpointPage ssr=SsrMode::Async />
                    <Route path=path!("/check") view=CheckPage ssr=SsrMode::Async />
                    <Route path=path!("/validate") view=ValidatePage />
                    <Route path=path!("/alerts/confirm") view=ConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/alerts/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LogInPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot") view=ForgotPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/reset") view=ResetPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/account/email/confirm") view=ConfirmEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id") view=OrganizationPage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/apps/new") view=crate::routes::apps::NewAppPage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/apps/:app") view=crate::routes::apps::AppManagePage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/apps/:app/attestation") view=crate::routes::attestations::AttestationEditPage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/apps/:app/requests") view=crate::routes::registration::AppRequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/requests/:id") view=crate::routes::registration::RequestPageView ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/queue") view=crate::routes::queue::PayerQueuePage ssr=SsrMode::Async />
                    <Route path=path!("/orgs/:id/registration") view=crate::routes::payer_settings::PayerSettingsPageView ssr=SsrMode::Async />
                    <Route path=path!("/admin/attestations") view=crate::routes::attestations::AttestationQueuePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/attestations/:id") view=crate::routes::attestations::AttestationReviewPage ssr=SsrMode::Async />
                    <Route path=path!("/apps") view=crate::routes::public_apps::PublicAppsPage ssr=SsrMode::Async />
                    <Route path=path!("/respond") view=crate::routes::respond::RespondPageView ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=crate::routes::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/turnaround") view=crate::routes::turnaround::TurnaroundPage ssr=SsrMode::Async />
                    <Route path=path!("/turnaround/:brand") view=crate::routes::turnaround::PayerTurnaroundPage ssr=SsrMode::Async />
                    <Route path=path!("/apps/:id") view=crate::routes::public_apps::PublicAppPageView ssr=SsrMode::Async />
                    <Route path=path!("/invitations") view=InvitationPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/accounts") view=AdminAccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=AuditLogPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/claims") view=AdminClaimsPage ssr=SsrMode::Async />
                    <Route path=path!("/claims/confirm") view=ClaimConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/propose") view=NewBrandPage ssr=SsrMode::Async />
                    <Route path=path!("/brands/:id/propose") view=ProposeChangePage ssr=SsrMode::Async />
                    <Route path=path!("/brands/:id/report") view=ReportPage ssr=SsrMode::Async />
                    <Route path=path!("/brands/:id/history") view=BrandHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/brands/:id/developer") view=crate::routes::developers::DeveloperFactsPage ssr=SsrMode::Async />
                    <Route path=path!("/proposals") view=MyProposalsPage ssr=SsrMode::Async />
                    <Route path=path!("/proposals/:id") view=ProposalPage ssr=SsrMode::Async />
                    <Route path=path!("/proposals/:id/edit") view=EditProposalPage ssr=SsrMode::Async />
                    <Route path=path!("/proposals/:id/review") view=ReviewProposalPage ssr=SsrMode::Async />
                    <Route path=path!("/moderation") view=ModerationPage ssr=SsrMode::Async />
                    <Route path=path!("/needs-attention") view=NeedsAttentionPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <SiteFooter />
            <HydrationMark />
        </Router>
    }
}
