//! What an app developer needs to wire up a payer: its developer-portal facts, the plans a
//! brand covers and their API base URLs, and what the poller read from the endpoints'
//! smart-configuration. The form's fields parse here, so the server checks exactly what the
//! page says.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

use crate::types::accounts::FormErrors;
use crate::types::link::WebUrl;

/// Longest free text kept in a fact.
pub const MAX_TEXT: usize = 500;
/// Most plans per brand.
pub const MAX_PLANS: usize = 20;
/// Most scopes listed.
pub const MAX_SCOPES: usize = 100;
/// The turnaround the registration clock reads when a payer states none (business days).
pub const DEFAULT_TURNAROUND: u16 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))"))]
#[serde(rename_all = "kebab-case")]
pub enum LineOfBusiness {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "medicare-advantage"))]
    MedicareAdvantage,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "medicaid"))]
    Medicaid,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "chip"))]
    Chip,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "exchange"))]
    Exchange,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "commercial"))]
    Commercial,
    /// A state's own plan (state employees, a state program).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "state"))]
    State,
}

impl LineOfBusiness {
    pub const ALL: [LineOfBusiness; 6] = [
        LineOfBusiness::MedicareAdvantage,
        LineOfBusiness::Medicaid,
        LineOfBusiness::Chip,
        LineOfBusiness::Exchange,
        LineOfBusiness::Commercial,
        LineOfBusiness::State,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LineOfBusiness::MedicareAdvantage => "medicare-advantage",
            LineOfBusiness::Medicaid => "medicaid",
            LineOfBusiness::Chip => "chip",
            LineOfBusiness::Exchange => "exchange",
            LineOfBusiness::Commercial => "commercial",
            LineOfBusiness::State => "state",
        }
    }

    pub fn parse(s: &str) -> Option<LineOfBusiness> {
        LineOfBusiness::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            LineOfBusiness::MedicareAdvantage => "Medicare Advantage",
            LineOfBusiness::Medicaid => "Medicaid",
            LineOfBusiness::Chip => "CHIP",
            LineOfBusiness::Exchange => "Exchange (QHP)",
            LineOfBusiness::Commercial => "Commercial",
            LineOfBusiness::State => "State plan",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))"))]
#[serde(rename_all = "kebab-case")]
pub enum ApiKind {
    /// CMS-9115-F Patient Access (CARIN Blue Button).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "patient-access"))]
    PatientAccess,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "provider-directory"))]
    ProviderDirectory,
    /// The Da Vinci drug formulary IG.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "formulary"))]
    Formulary,
    /// CMS-0057-F payer-to-payer.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "payer-to-payer"))]
    PayerToPayer,
    /// CMS-0057-F prior authorization.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "prior-auth"))]
    PriorAuth,
}

impl ApiKind {
    pub const ALL: [ApiKind; 5] = [
        ApiKind::PatientAccess,
        ApiKind::ProviderDirectory,
        ApiKind::Formulary,
        ApiKind::PayerToPayer,
        ApiKind::PriorAuth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::PatientAccess => "patient-access",
            ApiKind::ProviderDirectory => "provider-directory",
            ApiKind::Formulary => "formulary",
            ApiKind::PayerToPayer => "payer-to-payer",
            ApiKind::PriorAuth => "prior-auth",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApiKind::PatientAccess => "Patient Access (CARIN Blue Button)",
            ApiKind::ProviderDirectory => "Provider directory",
            ApiKind::Formulary => "Drug formulary",
            ApiKind::PayerToPayer => "Payer-to-payer",
            ApiKind::PriorAuth => "Prior authorization",
        }
    }
}

/// The facts as stored (JSON) and shown. Every URL is a `WebUrl`; texts are capped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Facts {
    pub developer_portal: Option<WebUrl>,
    pub registration_url: Option<WebUrl>,
    /// Developers register themselves, without waiting on a person.
    pub self_service: Option<bool>,
    pub sandbox_url: Option<WebUrl>,
    /// Test patients and credentials offered in the sandbox (`None`: not said).
    pub test_patients: Option<bool>,
    pub test_patients_note: String,
    pub data_refresh: String,
    pub rate_limits: String,
    pub access_token_lifetime: String,
    pub refresh_token_lifetime: String,
    pub scopes: Vec<String>,
    pub support_email: String,
    /// Where registration requests are mailed when the payer works no queue on Signpost; it
    /// answers through signed links.
    pub registration_email: String,
    pub support_url: Option<WebUrl>,
    pub support_hours: String,
    pub release_notes_url: Option<WebUrl>,
    pub terms_url: Option<WebUrl>,
    /// Expected registration turnaround, business days.
    pub turnaround_days: u16,
    pub turnaround_sandbox_days: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiUrl {
    pub kind: ApiKind,
    pub url: WebUrl,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Plan {
    pub name: String,
    pub line_of_business: LineOfBusiness,
    pub apis: Vec<ApiUrl>,
}

/// What the poller last read from one endpoint's smart-configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SmartSummary {
    pub endpoint_id: i32,
    pub address: String,
    pub authorization_endpoint: Option<WebUrl>,
    pub token_endpoint: Option<WebUrl>,
    pub scopes_supported: Vec<String>,
    pub capabilities: Vec<String>,
}

/// The brand page's "For developers" section, and the API's `developer` member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForDevelopers {
    pub facts: Option<Facts>,
    /// Where the facts came from (`import`, `maintainer`, `admin`) and when.
    pub facts_origin: Option<String>,
    pub facts_updated_at: Option<i64>,
    pub apis: Vec<ApiUrl>,
    pub plans: Vec<Plan>,
    pub smart: Vec<SmartSummary>,
    /// The payer's turnaround on Signpost, to show next to its target.
    pub turnaround: Option<crate::types::turnaround::TurnaroundBrief>,
}

impl ForDevelopers {
    pub fn is_empty(&self) -> bool {
        self.facts.is_none()
            && self.apis.is_empty()
            && self.plans.is_empty()
            && self.smart.is_empty()
            && self.turnaround.is_none()
    }
}

/// The facts form: what it was typed as, field by field (`name`, `value`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsForm {
    pub values: Vec<(String, String)>,
}

/// What a form's fields parse to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedFacts {
    pub facts: Facts,
    pub apis: Vec<ApiUrl>,
    pub plans: Vec<Plan>,
}

fn tri(v: &str) -> Option<bool> {
    match v.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

pub fn tri_value(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn text(v: &str) -> String {
    v.trim().chars().filter(|c| !c.is_control() || *c == '\n').take(MAX_TEXT).collect()
}

impl FactsForm {
    pub fn get(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// The form as the facts are now (for the page), with one empty plan row to add one.
    pub fn of(facts: &Facts, apis: &[ApiUrl], plans: &[Plan]) -> FactsForm {
        let mut v: Vec<(String, String)> = Vec::new();
        let mut put = |n: &str, s: String| v.push((n.to_string(), s));
        let url = |u: &Option<WebUrl>| u.as_ref().map(|u| u.as_str().to_string()).unwrap_or_default();
        put("developer_portal", url(&facts.developer_portal));
        put("registration_url", url(&facts.registration_url));
        put("self_service", tri_value(facts.self_service).into());
        put("sandbox_url", url(&facts.sandbox_url));
        put("test_patients", tri_value(facts.test_patients).into());
        put("test_patients_note", facts.test_patients_note.clone());
        put("data_refresh", facts.data_refresh.clone());
        put("rate_limits", facts.rate_limits.clone());
        put("access_token_lifetime", facts.access_token_lifetime.clone());
        put("refresh_token_lifetime", facts.refresh_token_lifetime.clone());
        put("scopes", facts.scopes.join("\n"));
        put("support_email", facts.support_email.clone());
        put("registration_email", facts.registration_email.clone());
        put("support_url", url(&facts.support_url));
        put("support_hours", facts.support_hours.clone());
        put("release_notes_url", url(&facts.release_notes_url));
        put("terms_url", url(&facts.terms_url));
        put("turnaround_days", facts.turnaround_days.to_string());
        put("turnaround_sandbox_days", facts.turnaround_sandbox_days.map(|d| d.to_string()).unwrap_or_default());
        for k in ApiKind::ALL {
            let u = apis.iter().find(|a| a.kind == k).map(|a| a.url.as_str().to_string()).unwrap_or_default();
            put(&format!("api-{}", k.as_str()), u);
        }
        for (i, p) in plans.iter().enumerate() {
            put(&format!("plan-{i}-name"), p.name.clone());
            put(&format!("plan-{i}-lob"), p.line_of_business.as_str().into());
            for k in ApiKind::ALL {
                let u = p.apis.iter().find(|a| a.kind == k).map(|a| a.url.as_str().to_string()).unwrap_or_default();
                put(&format!("plan-{i}-{}", k.as_str()), u);
            }
        }
        FactsForm { values: v }
    }

    /// The plan row numbers the form names (`plan-N-…`), as typed: any number at all.
    fn plan_numbers(&self) -> impl Iterator<Item = usize> + '_ {
        self.values.iter().filter_map(|(n, _)| n.strip_prefix("plan-")?.split('-').next()?.parse::<usize>().ok())
    }

    /// How many plan rows the form has (the highest `plan-N-…` plus one), never more than
    /// `MAX_PLANS`: rows past it are refused by `parse`, never walked.
    pub fn plan_rows(&self) -> usize {
        self.plan_numbers().filter(|i| *i < MAX_PLANS).map(|i| i + 1).max().unwrap_or(0)
    }

    /// Parses every field; the errors name their fields.
    pub fn parse(&self) -> Result<ParsedFacts, FormErrors> {
        let mut errors = FormErrors::default();
        let url = |name: &str, errors: &mut FormErrors| -> Option<WebUrl> {
            let v = self.get(name).trim();
            if v.is_empty() {
                return None;
            }
            match WebUrl::parse(v) {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.fields.push((name.to_string(), format!("{e}")));
                    None
                }
            }
        };
        let mut facts = Facts {
            developer_portal: url("developer_portal", &mut errors),
            registration_url: url("registration_url", &mut errors),
            sandbox_url: url("sandbox_url", &mut errors),
            support_url: url("support_url", &mut errors),
            release_notes_url: url("release_notes_url", &mut errors),
            terms_url: url("terms_url", &mut errors),
            self_service: tri(self.get("self_service")),
            test_patients: tri(self.get("test_patients")),
            test_patients_note: text(self.get("test_patients_note")),
            data_refresh: text(self.get("data_refresh")),
            rate_limits: text(self.get("rate_limits")),
            access_token_lifetime: text(self.get("access_token_lifetime")),
            refresh_token_lifetime: text(self.get("refresh_token_lifetime")),
            support_hours: text(self.get("support_hours")),
            ..Default::default()
        };
        let mut apis = Vec::new();
        for k in ApiKind::ALL {
            if let Some(u) = url(&format!("api-{}", k.as_str()), &mut errors) {
                apis.push(ApiUrl { kind: k, url: u });
            }
        }
        let mut plans = Vec::new();
        if self.plan_numbers().any(|i| i >= MAX_PLANS) {
            errors.summary = Some(format!("At most {MAX_PLANS} plans per brand."));
        }
        let rows = self.plan_rows();
        for i in 0..rows {
            let name = text(self.get(&format!("plan-{i}-name")));
            let mut plan_apis = Vec::new();
            for k in ApiKind::ALL {
                if let Some(u) = url(&format!("plan-{i}-{}", k.as_str()), &mut errors) {
                    plan_apis.push(ApiUrl { kind: k, url: u });
                }
            }
            if name.is_empty() {
                if !plan_apis.is_empty() {
                    errors.fields.push((format!("plan-{i}-name"), "Name the plan these addresses are for.".into()));
                }
                continue;
            }
            let Some(lob) = LineOfBusiness::parse(self.get(&format!("plan-{i}-lob"))) else {
                errors.fields.push((format!("plan-{i}-lob"), "Choose the plan's line of business.".into()));
                continue;
            };
            plans.push(Plan { name: name.chars().take(200).collect(), line_of_business: lob, apis: plan_apis });
        }
        for (name, slot) in
            [("support_email", &mut facts.support_email), ("registration_email", &mut facts.registration_email)]
        {
            let email = self.get(name).trim();
            if email.is_empty() {
                continue;
            }
            // Only characters that need no escaping in a `mailto:` link or a mail header.
            let ok = email.len() <= 254
                && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
                && email.chars().all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c));
            if ok {
                *slot = email.to_lowercase();
            } else {
                errors.fields.push((name.into(), format!("\"{email}\" is not an email address")));
            }
        }
        let mut scopes = Vec::new();
        // One past the limit is enough to say so; the rest is never looked at.
        for s in self.get("scopes").split_whitespace().take(MAX_SCOPES + 1) {
            let ok = s.len() <= 200 && s.chars().all(|c| c.is_ascii_alphanumeric() || "/*._:-?=&$,|".contains(c));
            if !ok {
                errors.fields.push((
                    "scopes".into(),
                    format!("\"{}\" is not a SMART scope", s.chars().take(60).collect::<String>()),
                ));
                break;
            }
            if !scopes.iter().any(|x: &String| x == s) {
                scopes.push(s.to_string());
            }
        }
        if scopes.len() > MAX_SCOPES {
            errors.fields.push(("scopes".into(), format!("At most {MAX_SCOPES} scopes.")));
        }
        facts.scopes = scopes;
        let days = |name: &str, required: bool, errors: &mut FormErrors| -> Option<u16> {
            let v = self.get(name).trim();
            if v.is_empty() {
                return if required { Some(DEFAULT_TURNAROUND) } else { None };
            }
            match v.parse::<u16>() {
                Ok(n) if (1..=365).contains(&n) => Some(n),
                _ => {
                    errors.fields.push((name.to_string(), "A number of business days, from 1 to 365.".into()));
                    None
                }
            }
        };
        facts.turnaround_days = days("turnaround_days", true, &mut errors).unwrap_or(DEFAULT_TURNAROUND);
        facts.turnaround_sandbox_days = days("turnaround_sandbox_days", false, &mut errors);
        if errors.is_empty() { Ok(ParsedFacts { facts, apis, plans }) } else { Err(errors) }
    }
}

/// The facts page's data: the brand, its form as it is now, and whether the viewer may save.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsPage {
    pub brand_id: i32,
    pub brand: String,
    pub form: FactsForm,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FactsForm {
        FactsForm { values: pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() }
    }

    #[test]
    fn a_form_parses_and_reads_back_the_same() {
        let p = form(&[
            ("developer_portal", "https://developer.example.com"),
            ("self_service", "yes"),
            ("sandbox_url", "https://sandbox.example.com/fhir"),
            ("test_patients", "no"),
            ("scopes", "launch/patient patient/*.read\nopenid fhirUser offline_access patient/*.read"),
            ("support_email", "API@Example.com"),
            ("turnaround_days", "10"),
            ("api-patient-access", "https://fhir.example.com/r4"),
            ("plan-0-name", "Example Medicare Advantage"),
            ("plan-0-lob", "medicare-advantage"),
            ("plan-0-formulary", "https://fhir.example.com/formulary"),
            ("plan-1-name", ""),
        ])
        .parse()
        .unwrap();
        assert_eq!(p.facts.self_service, Some(true));
        assert_eq!(p.facts.test_patients, Some(false));
        assert_eq!(p.facts.scopes, ["launch/patient", "patient/*.read", "openid", "fhirUser", "offline_access"]);
        assert_eq!(p.facts.support_email, "api@example.com");
        assert_eq!(p.facts.turnaround_days, 10);
        assert_eq!(p.apis.len(), 1);
        assert_eq!(p.plans.len(), 1, "an empty plan row adds nothing");
        assert_eq!(p.plans[0].apis[0].kind, ApiKind::Formulary);
        let again = FactsForm::of(&p.facts, &p.apis, &p.plans).parse().unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn hostile_values_are_refused_with_their_field() {
        let bad = form(&[
            ("developer_portal", "javascript:alert(1)"),
            ("support_url", "https://user:pw@example.com"),
            ("scopes", "patient/*.read <script>"),
            ("support_email", "a@b.c\r\nBcc: x@y.z"),
            ("turnaround_days", "0"),
            ("turnaround_sandbox_days", "9999"),
            ("plan-0-name", "A plan"),
            ("plan-0-lob", "weird"),
            ("plan-1-patient-access", "https://x.example"),
        ]);
        let e = bad.parse().unwrap_err();
        for f in [
            "developer_portal",
            "support_url",
            "scopes",
            "support_email",
            "turnaround_days",
            "turnaround_sandbox_days",
            "plan-0-lob",
            "plan-1-name",
        ] {
            assert!(e.for_field(f).is_some(), "{f}: {e:?}");
        }
        let long = form(&[("data_refresh", &"x".repeat(10_000)), ("turnaround_days", "")]).parse().unwrap();
        assert_eq!(long.facts.data_refresh.len(), MAX_TEXT);
        assert_eq!(long.facts.turnaround_days, DEFAULT_TURNAROUND, "the default when none is said");
        let many: Vec<(String, String)> = (0..25)
            .flat_map(|i| [(format!("plan-{i}-name"), format!("P{i}")), (format!("plan-{i}-lob"), "medicaid".into())])
            .collect();
        assert!(FactsForm { values: many }.parse().is_err(), "more than 20 plans");
        let far = form(&[("plan-18446744073709551614-name", "x"), ("plan-18446744073709551615-lob", "medicaid")]);
        assert_eq!(far.plan_rows(), 0, "row numbers past the limit are never walked");
        assert!(far.parse().is_err());
        let scopes = vec!["patient/*.read"; 100_000].join(" ");
        assert!(form(&[("scopes", &scopes)]).parse().is_ok(), "duplicates past the limit are not looked at");
        assert!(form(&[("support_email", "a@b.example?subject=x&body=y")]).parse().is_err(), "no mailto parameters");
    }
}
