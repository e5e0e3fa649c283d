//! The registration benchmark's database: payer organizations each maintaining one brand, and
//! requests from 1,000 apps of 200 developer organizations spread over two years, with their
//! state histories. Run by `scripts/bench`:
//!   gen_requests DB_PATH PAYERS REQUESTS EMAIL PASSWORD
//! Requests go to payers by a Zipf law (the largest payer gets about one in eight), so one
//! queue is large and most are small, as in the market. Each request is reviewed within hours
//! or days, some are asked for more information, and most are decided after a log-uniform wait
//! (4 hours to 40 days); those whose decision would fall after now are open. A decision's
//! business seconds come from the application's own clock, as when a payer decides.
//! Prints `big_org= big_brand= median_org= submitted=` for the script.
use app::server::entities::{
    brand, brand_claim, client_app, client_app_version, membership, organization, registration_request as request,
    request_event,
};
use app::server::import::{Format, run::import_reader};
use app::server::policy::Actor;
use app::server::services::accounts::admin::create_admin;
use app::server::services::registration::calendar::Calendar;
use app::server::services::registration::clock::elapsed_secs;
use app::types::accounts::{MemberRole, OrgKind};
use app::types::claims::{ClaimMethod, ClaimState};
use app::types::registration::{Channel, Environment, RequestState};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const APPS: usize = 1_000;
const DEVELOPERS: usize = 200;

/// SplitMix64: a reproducible stream, so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.unit() * (hi - lo) as f64) as i64
    }
    fn log_between(&mut self, lo: i64, hi: i64) -> i64 {
        ((lo as f64).ln() + self.unit() * ((hi as f64).ln() - (lo as f64).ln())).exp() as i64
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, payers, requests, email, password] = args.as_slice() else {
        return Err("usage: gen_requests DB_PATH PAYERS REQUESTS EMAIL PASSWORD".into());
    };
    let (payers, requests): (usize, usize) = (payers.parse()?, requests.parse()?);
    let db = signpost::startup::connect(&format!("sqlite://{path}?mode=rwc")).await?;
    let now = chrono::Utc::now().timestamp();
    let calendar = Calendar::new(Default::default(), []);
    let mut rng = Rng(2026);

    // The payers' brands, imported as a Lantern list like any other source.
    let list: Vec<_> = (0..payers)
        .map(|k| {
            serde_json::json!({"URL": format!("https://fhir.payer{k}.example.org/r4"),
                "OrganizationName": format!("Payer {k} Health Plan"), "NPIID": "", "OrganizationZipCode": "12345"})
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "Endpoints": list }))?;
    import_reader(&db, "bench:payers", Some(Format::Lantern), std::io::Cursor::new(body), |_| {}).await?;
    let brands: Vec<i32> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .order_by_asc(brand::Column::Id)
        .into_tuple()
        .all(&db)
        .await?;
    if brands.len() < payers {
        return Err(format!("{} brands imported of {payers}", brands.len()).into());
    }
    create_admin(&db, &Actor::command_line(), "http://127.0.0.1", email, Some(password), now).await?;
    let account = app::server::entities::account::Entity::find()
        .filter(app::server::entities::account::Column::Email.eq(email.to_lowercase()))
        .one(&db)
        .await?
        .ok_or("the bench account")?
        .id;

    let txn = db.begin().await?;
    let org = |id: usize, kind: OrgKind, name: String| organization::ActiveModel {
        id: Set(id as i32),
        name: Set(name),
        kind: Set(kind),
        created_at: Set(now - 800 * DAY),
    };
    let mut orgs: Vec<_> = (0..payers).map(|k| org(k + 1, OrgKind::Payer, format!("Payer {k} Interop"))).collect();
    orgs.extend((0..DEVELOPERS).map(|d| org(payers + d + 1, OrgKind::Developer, format!("Developer {d}"))));
    for chunk in orgs.chunks(500) {
        organization::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let payer_org = |rank: usize| (rank + 1) as i32;
    let (big, median) = (0, payers / 2);
    let members = [big, median].map(|rank| membership::ActiveModel {
        organization_id: Set(payer_org(rank)),
        account_id: Set(account),
        role: Set(MemberRole::Owner),
        created_at: Set(now - 800 * DAY),
    });
    membership::Entity::insert_many(members).exec(&txn).await?;
    let claims: Vec<_> = (0..payers)
        .map(|k| brand_claim::ActiveModel {
            organization_id: Set(payer_org(k)),
            brand_id: Set(brands[k]),
            domain: Set(format!("payer{k}.example.org")),
            method: Set(ClaimMethod::Granted),
            state: Set(ClaimState::Verified),
            created_at: Set(now - 800 * DAY),
            verified_at: Set(Some(now - 800 * DAY)),
            next_check_at: Set(now + 30 * DAY),
            ..Default::default()
        })
        .collect();
    for chunk in claims.chunks(500) {
        brand_claim::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let words = ["Health", "Records", "Wallet", "Care", "Connect", "Vault", "Chart", "Link", "Pass", "Hub"];
    let apps: Vec<_> = (0..APPS)
        .map(|a| client_app::ActiveModel {
            id: Set(a as i32 + 1),
            organization_id: Set((payers + a % DEVELOPERS + 1) as i32),
            client_name: Set(format!("{} {} {a}", words[a % 10], words[(a / 10) % 10])),
            current_version: Set(1),
            created_at: Set(now - 800 * DAY),
            updated_at: Set(now - 800 * DAY),
            created_by: Set(None),
        })
        .collect();
    let versions: Vec<_> = (0..APPS)
        .map(|a| client_app_version::ActiveModel {
            app_id: Set(a as i32 + 1),
            version: Set(1),
            metadata: Set("{}".into()),
            changed: Set("[]".into()),
            created_at: Set(now - 800 * DAY),
            created_by: Set(None),
            ..Default::default()
        })
        .collect();
    for (a, v) in apps.chunks(500).zip(versions.chunks(500)) {
        client_app::Entity::insert_many(a.to_vec()).exec(&txn).await?;
        client_app_version::Entity::insert_many(v.to_vec()).exec(&txn).await?;
    }

    // Zipf weights 1/rank: cumulative, for sampling by binary search.
    let mut cumulative = Vec::with_capacity(payers);
    let mut sum = 0.0;
    for k in 0..payers {
        sum += 1.0 / (k + 1) as f64;
        cumulative.push(sum);
    }
    let (mut rows, mut events, mut submitted) = (Vec::new(), Vec::new(), Vec::new());
    let mut event_id = 0;
    for r in 0..requests {
        let id = r as i32 + 1;
        let pick = rng.unit() * sum;
        let rank = cumulative.partition_point(|c| *c < pick).min(payers - 1);
        let target = [5, 10, 15][rank % 3];
        let zone = (rank % 5 == 0).then(|| "America/Chicago".to_string());
        let created = rng.between(now - 730 * DAY, now - HOUR);
        let mut history = vec![(created, RequestState::Submitted)];
        let mut at = created + rng.log_between(HOUR, 3 * DAY);
        history.push((at, RequestState::InReview));
        if rng.unit() < 0.15 {
            at += rng.log_between(4 * HOUR, 5 * DAY);
            history.push((at, RequestState::NeedsInfo));
            at += rng.log_between(HOUR, 5 * DAY);
            history.push((at, RequestState::InReview));
        }
        at += rng.log_between(4 * HOUR, 40 * DAY);
        let outcome = match rng.unit() {
            u if u < 0.80 => RequestState::Approved,
            u if u < 0.97 => RequestState::Denied,
            _ => RequestState::Withdrawn,
        };
        history.push((at, outcome));
        history.retain(|(t, _)| *t <= now);
        let (decided_at, state) = *history.last().expect("submitted");
        let decision = state.is_decision();
        if state == RequestState::Submitted && rank == big {
            submitted.push(id);
        }
        let zoned = calendar.in_zone(zone.as_deref());
        rows.push(request::ActiveModel {
            id: Set(id),
            app_id: Set((r * 7919 % APPS) as i32 + 1),
            app_version: Set(1),
            brand_id: Set(brands[rank]),
            payer_org_id: Set(Some(payer_org(rank))),
            environment: Set(if rng.unit() < 0.7 { Environment::Production } else { Environment::Sandbox }),
            channel: Set(Channel::Queue),
            state: Set(state),
            target_days: Set(target),
            attestation_status: Set("current".into()),
            client_id: Set(decision.then(|| format!("client-{id}"))),
            notes: Set(None),
            denial_reason: Set((state == RequestState::Denied).then(|| "security".into())),
            denial_text: Set((state == RequestState::Denied).then(|| "Not now.".into())),
            assignee_id: Set((rank == big && r % 3 == 0).then_some(account)),
            self_reported: Set(false),
            created_at: Set(created),
            updated_at: Set(decided_at),
            created_by: Set(None),
            decided_at: Set(decision.then_some(decided_at)),
            reminded_stage: Set(None),
            decision_secs: Set(decision.then(|| elapsed_secs(&history, &zoned, decided_at))),
            time_zone: Set(zone),
        });
        for (t, s) in history {
            event_id += 1;
            events.push(request_event::ActiveModel {
                id: Set(event_id),
                request_id: Set(id),
                at: Set(t),
                state: Set(s),
                actor_id: Set(None),
                note: Set(None),
            });
        }
        if rows.len() == 500 {
            request::Entity::insert_many(std::mem::take(&mut rows)).exec(&txn).await?;
            for chunk in std::mem::take(&mut events).chunks(1000) {
                request_event::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
            }
        }
    }
    if !rows.is_empty() {
        request::Entity::insert_many(rows).exec(&txn).await?;
        for chunk in events.chunks(1000) {
            request_event::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
    }
    txn.commit().await?;
    let count =
        |rank: usize| request::Entity::find().filter(request::Column::PayerOrgId.eq(payer_org(rank))).count(&db);
    let open = request::Entity::find()
        .filter(request::Column::State.is_in([
            RequestState::Submitted,
            RequestState::InReview,
            RequestState::NeedsInfo,
        ]))
        .count(&db)
        .await?;
    eprintln!(
        "generated {requests} requests ({open} open, {event_id} events) to {payers} payers; the largest has {}, the median {}",
        count(big).await?,
        count(median).await?
    );
    submitted.truncate(20);
    let submitted: Vec<String> = submitted.iter().map(i32::to_string).collect();
    println!(
        "big_org={} big_brand={} median_org={} submitted={}",
        payer_org(big),
        brands[big],
        payer_org(median),
        submitted.join(",")
    );
    Ok(())
}
