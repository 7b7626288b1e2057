//! The union office's commands through `Session`, on a real SQLite file with the demo union
//! (whose device is the secretariat's): dashboard, anomaly queue, a conflict resolved, the
//! settlement reviewed, locked and exported.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_api::*;

use crate::common::session;

fn office(dir: &tempfile::TempDir) -> Session {
    // mid-January 2027: the demo season's deliveries are in
    let mut s = session(
        dir.path(),
        Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap(),
    )
    .with_store_path(dir.path().join("sene.sqlite"));
    let st = s.load_demo(&mut |_| {}).expect("demo");
    assert!(st.may_configure, "the demo's device is the secretariat's");
    s
}

fn rice(s: &Session) -> String {
    let st = s.status().unwrap();
    st.campaigns
        .iter()
        .find(|c| c.name.to_lowercase().contains("riz"))
        .map(|c| c.id.clone())
        .unwrap_or_else(|| st.campaigns[0].id.clone())
}

fn francs(v: &str) -> i64 {
    v.parse().unwrap()
}

#[test]
fn the_dashboard_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let s = office(&dir);
    let camp = rice(&s);
    let d = s
        .office_dashboard(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: String::new(),
        })
        .unwrap();
    assert!(d.total.contracts > 0);
    // the union's total is the sum of its cooperatives, figure by figure
    let sum = |f: fn(&ProgressView) -> &String| -> i64 {
        d.cooperatives.iter().map(|c| francs(f(&c.progress))).sum()
    };
    assert_eq!(sum(|p| &p.disbursed), francs(&d.total.disbursed));
    assert_eq!(sum(|p| &p.advance_due), francs(&d.total.advance_due));
    assert_eq!(sum(|p| &p.recovered), francs(&d.total.recovered));
    assert!(!d.stock.is_empty());
    // per crop family across campaigns: the demo has one campaign per family, so the rice
    // family's line is this campaign's total
    assert_eq!(d.families.len(), 3, "{:?}", d.families);
    assert!(
        d.families.iter().any(|f| f.progress == d.total),
        "{:?}",
        d.families
    );
    // a malformed date is refused, naming the field
    let e = s
        .office_dashboard(&CampaignDateRequest {
            campaign_id: camp,
            date: "15/01/2027".into(),
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("date"));
}

#[test]
fn a_conflict_of_the_queue_is_resolved_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(&dir);
    let camp = rice(&s);
    let q = s
        .office_anomalies(&CampaignRequest {
            campaign_id: camp.clone(),
        })
        .unwrap();
    let conflict = q
        .iter()
        .find(|a| a.kind == "sync_conflict")
        .expect("the demo's member registered twice");
    assert!(conflict.title.contains("Conflit"));
    let id = conflict.conflict_id.clone().unwrap();
    // the same two members are also a probable duplicate, with their links
    assert!(q.iter().any(|a| a.kind == "duplicate_member"
        && a.links.iter().filter(|l| l.target == "member").count() == 2));
    // no reason: refused, nothing resolved
    assert!(s
        .resolve_conflict(&ResolveConflictRequest {
            conflict_id: id.clone(),
            choice: None,
            reason: "  ".into(),
        })
        .is_err());
    // a choice that is not one of the values: refused
    let e = s
        .resolve_conflict(&ResolveConflictRequest {
            conflict_id: id.clone(),
            choice: Some(99),
            reason: "erreur".into(),
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("choice"));
    // no value chosen on a member registered twice: two different people (the pair is no
    // longer a probable duplicate either)
    assert_eq!(conflict.conflict_kind.as_deref(), Some("member_duplicate"));
    s.resolve_conflict(&ResolveConflictRequest {
        conflict_id: id.clone(),
        choice: None,
        reason: "deux personnes différentes : même nom, le second numéro est le sien".into(),
    })
    .unwrap();
    let after = s
        .office_anomalies(&CampaignRequest { campaign_id: camp })
        .unwrap();
    assert!(!after
        .iter()
        .any(|a| a.conflict_id.as_deref() == Some(id.as_str())));
    assert_eq!(after.len(), q.len() - 2);
    // the journal says who resolved it, and why
    let log = s
        .anomaly_log(&CampaignRequest {
            campaign_id: rice(&s),
        })
        .unwrap();
    assert!(log.iter().any(|r| r.kind == "sync_conflict"
        && r.note.contains("second numéro")
        && r.by == s.status().unwrap().agent_name.unwrap()));
    // resolving it again: it is no longer open
    assert!(s
        .resolve_conflict(&ResolveConflictRequest {
            conflict_id: id,
            choice: None,
            reason: "encore".into(),
        })
        .is_err());
}

#[test]
fn a_settlement_is_reviewed_locked_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(&dir);
    let camp = rice(&s);
    let review = s
        .settlement_preview(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: "2027-01-15".into(),
        })
        .unwrap();
    assert!(review.run_id.is_none());
    assert!(!review.lines.is_empty());
    let net: i64 = review.lines.iter().map(|l| francs(&l.net)).sum();
    assert_eq!(net, francs(&review.totals.net));
    let in_debt = review.lines.iter().filter(|l| francs(&l.debt) > 0).count();
    assert_eq!(in_debt, review.totals.members_in_debt as usize);

    // four eyes: proposed by the union's accountant, locked by the secretary
    let lock = LockRequest {
        campaign_id: camp.clone(),
        date: "2027-01-15".into(),
        replaces: None,
        note: "règlement de la campagne".into(),
    };
    let e = s.lock_settlement(&lock).unwrap_err();
    assert_eq!(e.code, ErrorCode::SecondPersonRequired, "{e:?}");
    let me = s.status().unwrap().agent_name.unwrap();
    let accountant: sene_domain::AgentId = s
        .agents()
        .unwrap()
        .into_iter()
        .find(|a| a.role == "secretariat" && a.name != me)
        .unwrap()
        .id
        .parse()
        .unwrap();
    s.ledger().set_acting_agent(Some(accountant)).unwrap();
    let proposed = s
        .propose_settlement(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: "2027-01-15".into(),
        })
        .unwrap();
    let p = proposed.proposal.unwrap();
    assert!(p.by_me && p.holds, "{p:?}");
    assert_eq!(
        s.lock_settlement(&lock).unwrap_err().code,
        ErrorCode::SecondPersonRequired
    );
    s.ledger().set_acting_agent(None).unwrap();
    let mine = s
        .settlement_preview(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: "2027-01-15".into(),
        })
        .unwrap()
        .proposal
        .unwrap();
    assert!(!mine.by_me && mine.holds, "{mine:?}");
    let run = s.lock_settlement(&lock).unwrap();
    let run_id = run.run_id.clone().unwrap();
    // the locked run is the reviewed one, line for line
    assert_eq!(run.lines, review.lines);
    let runs = s
        .settlement_runs(&CampaignRequest {
            campaign_id: camp.clone(),
        })
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, run_id);
    assert_eq!(runs[0].net, review.totals.net);

    let x = s
        .export_settlement(&ExportRequest {
            run_id: run_id.clone(),
            format: "xlsx".into(),
        })
        .unwrap();
    assert_eq!(x.files.len(), 1);
    let bytes = std::fs::read(&x.files[0]).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    let c = s
        .export_settlement(&ExportRequest {
            run_id: run_id.clone(),
            format: "csv".into(),
        })
        .unwrap();
    let csv = std::fs::read_to_string(&c.files[0]).unwrap();
    assert!(csv.contains(&review.lines[0].number), "{csv}");
    // named after the campaign, accents kept, only the `/` replaced
    let name = std::path::Path::new(&c.files[0]).file_name().unwrap();
    assert!(
        name.to_string_lossy().starts_with("règlement-Riz 2026_27-"),
        "{name:?}"
    );
    let p = s
        .export_settlement(&ExportRequest {
            run_id: run_id.clone(),
            format: "statements".into(),
        })
        .unwrap();
    assert!(
        p.files.len() > review.lines.len(),
        "a statement per member and payment lists"
    );
    assert!(p
        .files
        .iter()
        .all(|f| std::fs::read(f).unwrap().starts_with(b"%PDF")));
    let e = s
        .export_settlement(&ExportRequest {
            run_id,
            format: "docx".into(),
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("format"));
}

#[test]
fn a_member_is_paid_the_balance_with_a_receipt_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(&dir);
    let camp = rice(&s);
    let review = s
        .settlement_preview(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: String::new(),
        })
        .unwrap();
    let owed = review
        .lines
        .iter()
        .find(|l| francs(&l.remaining) > 0)
        .expect("a member with a balance to pay");
    let remaining = francs(&owed.remaining);
    let pay = |s: &mut Session, amount: String| {
        s.pay_balance(&PayBalanceRequest {
            record_id: None,
            member_id: owed.member_id.clone(),
            campaign_id: camp.clone(),
            amount,
            mode: "cash".into(),
        })
    };
    // more than remains: refused, nothing paid
    assert!(pay(&mut s, (remaining + 1).to_string()).is_err());
    assert!(pay(&mut s, "-5".into()).is_err());
    let r = pay(&mut s, remaining.to_string()).unwrap();
    assert!(!r.number.is_empty());
    assert_eq!(francs(&r.amount), remaining);
    let after = s
        .settlement_preview(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: String::new(),
        })
        .unwrap();
    let line = after
        .lines
        .iter()
        .find(|l| l.member_id == owed.member_id)
        .unwrap();
    assert_eq!(francs(&line.remaining), 0);
    assert_eq!(francs(&line.paid), francs(&owed.paid) + remaining);
    // nothing left to pay
    assert!(pay(&mut s, "1".into()).is_err());
}

#[test]
fn the_lender_portfolio_report_is_exported() {
    let dir = tempfile::tempdir().unwrap();
    let s = office(&dir);
    let camp = rice(&s);
    let x = s
        .export_portfolio(&PortfolioExportRequest {
            campaign_id: camp.clone(),
            format: "xlsx".into(),
        })
        .unwrap();
    assert!(std::fs::read(&x.files[0]).unwrap().starts_with(b"PK"));
    let c = s
        .export_portfolio(&PortfolioExportRequest {
            campaign_id: camp.clone(),
            format: "csv".into(),
        })
        .unwrap();
    let csv = std::fs::read_to_string(&c.files[0]).unwrap();
    // a line per cooperative with contracts in the campaign, then the total, which adds up
    let codes: Vec<String> = s
        .cooperatives()
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    // Excel's French style by default: the UTF-8 BOM, `;`, CRLF
    assert!(csv.starts_with("\u{feff}Coopérative;"), "{csv}");
    assert!(csv.ends_with("\r\n"), "{csv}");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    let (total, lines) = rows.split_last().unwrap();
    assert_eq!(total[0], "TOTAL", "{csv}");
    assert!(!lines.is_empty(), "{csv}");
    for l in lines {
        assert!(
            codes.iter().any(|c| c == l[0]),
            "{} is not a cooperative",
            l[0]
        );
    }
    for col in 1..=5 {
        let sum: i64 = lines.iter().map(|l| l[col].parse::<i64>().unwrap()).sum();
        assert_eq!(
            sum,
            total[col].parse::<i64>().unwrap(),
            "column {col} of {csv}"
        );
    }
    // the international style on request: `,` (and a decimal point), the same BOM
    let c = s
        .export_portfolio(&PortfolioExportRequest {
            campaign_id: camp.clone(),
            format: "csv-intl".into(),
        })
        .unwrap();
    let intl = std::fs::read_to_string(&c.files[0]).unwrap();
    assert!(intl.starts_with("\u{feff}Coopérative,"), "{intl}");
    let last: Vec<&str> = intl.lines().last().unwrap().split(',').collect();
    assert_eq!(last[..6], total[..6], "{intl}");
    assert_eq!(
        last[6],
        total[6].replace(',', "."),
        "the rate's decimal point"
    );
    for format in ["pdf", "csv-excel"] {
        assert!(s
            .export_portfolio(&PortfolioExportRequest {
                campaign_id: camp.clone(),
                format: format.into(),
            })
            .is_err());
    }
}

#[test]
fn the_office_runs_its_hub_and_pairs_a_new_laptop_that_syncs_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut office = office(&dir);
    assert!(!office.hub_status().unwrap().running);
    // a malformed address is refused, naming the field
    let e = office
        .hub_start(&HubStartRequest {
            listen: "port 8750".into(),
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("listen"));
    let hub = office
        .hub_start(&HubStartRequest {
            listen: "127.0.0.1:0".into(),
        })
        .unwrap();
    assert!(hub.running);
    let url = hub.urls[0].clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // starting again keeps the same hub
    assert_eq!(
        office
            .hub_start(&HubStartRequest {
                listen: String::new()
            })
            .unwrap()
            .listen,
        hub.listen
    );

    // a new laptop for a field agent
    let agents = office.agents().unwrap();
    let agent = agents
        .iter()
        .find(|a| a.role == "field_agent" && !a.cooperatives.is_empty())
        .expect("a field agent");
    let bad = office.pair_device(&PairRequest {
        agent_id: agent.id.clone(),
        device_label: "Portable neuf".into(),
        receipt_prefix: "??".into(),
        federation: false,
    });
    assert!(bad.is_err(), "a receipt prefix the rules refuse");
    let pairing = office
        .pair_device(&PairRequest {
            agent_id: agent.id.clone(),
            device_label: "Portable neuf".into(),
            receipt_prefix: "NEUF".into(),
            federation: false,
        })
        .unwrap();
    assert_eq!(pairing.hub_urls, hub.urls);

    // the laptop, empty, enrolls over HTTP with the code, and receives its cooperatives
    let field_dir = tempfile::tempdir().unwrap();
    let mut laptop = session(
        field_dir.path(),
        Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap(),
    );
    // a wrong code first: refused
    assert!(laptop
        .enroll(
            &EnrollRequest {
                hub_url: url.clone(),
                device_id: pairing.device_id.clone(),
                code: "AAAAAAAAAA".into(),
            },
            &mut |_| {},
        )
        .is_err());
    let st = laptop
        .enroll(
            &EnrollRequest {
                hub_url: url,
                device_id: pairing.device_id.clone(),
                code: pairing.code.clone(),
            },
            &mut |_| {},
        )
        .unwrap();
    assert!(st.initialized);
    assert_eq!(st.agent_name.as_deref(), Some(agent.name.as_str()));
    // its agent's cooperatives' members, and no one else's
    let coops = laptop.cooperatives().unwrap();
    let mine: Vec<&CooperativeView> = coops
        .iter()
        .filter(|c| agent.cooperatives.contains(&c.code))
        .collect();
    assert_eq!(mine.len(), agent.cooperatives.len());
    let members = laptop
        .search_members(&SearchRequest {
            query: String::new(),
            cooperative_id: None,
        })
        .unwrap();
    assert!(!members.is_empty());
    assert!(members
        .iter()
        .all(|m| mine.iter().any(|c| c.id == m.cooperative_id)));

    // a member registered on the laptop reaches the office through its hub
    let coop = mine[0].id.clone();
    let req = NewMemberRequest {
        cooperative_id: coop,
        number: format!("{}-8001", mine[0].code),
        full_name: "Fanta Coulibaly".into(),
        sex: "F".into(),
        birth_year: Some(1990),
        village: "Kondogola".into(),
        phone: None,
        nina: None,
        crops: vec!["rice".into()],
        confirmed: true,
    };
    let m = laptop.register_member(&req).unwrap();
    let r = laptop.sync_now(&mut |_| {}).unwrap();
    assert!(r.sent > 0, "{r:?}");
    let found = office
        .search_members(&SearchRequest {
            query: "fanta coulibaly".into(),
            cooperative_id: None,
        })
        .unwrap();
    assert!(found.iter().any(|f| f.id == m.id), "{found:?}");
    // registered again on the laptop: refused as a duplicate number
    assert!(laptop.register_member(&req).is_err());
}

#[test]
fn the_office_records_a_stock_count_and_a_cash_return() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(&dir);
    let camp = rice(&s);
    let coop = s.cooperatives().unwrap()[0].id.clone();
    let wh = s
        .warehouses(&CooperativeRequest {
            cooperative_id: coop,
        })
        .unwrap()[0]
        .id
        .clone();
    let count = |s: &mut Session, kg: &str, note: &str| {
        s.record_stock_count(&StockCountRequest {
            warehouse_id: wh.clone(),
            campaign_id: camp.clone(),
            date: String::new(),
            kg: kg.into(),
            note: note.into(),
        })
    };
    assert_eq!(
        count(&mut s, "beaucoup", "x").unwrap_err().field.as_deref(),
        Some("kg")
    );
    assert_eq!(
        count(&mut s, "-3", "x").unwrap_err().field.as_deref(),
        Some("kg"),
        "a negative count"
    );
    let c = count(&mut s, "1 234,5", "inventaire de fin de mois").unwrap();
    assert_eq!(c.figure, "1234.5");
    // the count is compared with the book: unless they are equal, it is in the queue
    let q = s
        .office_anomalies(&CampaignRequest {
            campaign_id: camp.clone(),
        })
        .unwrap();
    assert!(q.iter().any(|a| a.kind == "stock_count_mismatch"), "{q:?}");

    let agent = s
        .agents()
        .unwrap()
        .into_iter()
        .find(|a| a.role == "field_agent")
        .unwrap();
    let ret = |s: &mut Session, amount: &str| {
        s.record_cash_return(&CashReturnRequest {
            agent_id: agent.id.clone(),
            campaign_id: camp.clone(),
            date: String::new(),
            amount: amount.into(),
            note: "compté au bureau".into(),
        })
    };
    assert_eq!(
        ret(&mut s, "-5").unwrap_err().field.as_deref(),
        Some("amount")
    );
    assert_eq!(
        ret(&mut s, "12,5").unwrap_err().field.as_deref(),
        Some("amount")
    );
    let before = s
        .office_dashboard(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: String::new(),
        })
        .unwrap();
    let line = |d: &DashboardView| {
        d.agents
            .iter()
            .find(|a| a.name == agent.name)
            .map(|a| (francs(&a.returned), francs(&a.to_return)))
            .unwrap()
    };
    let (returned, to_return) = line(&before);
    ret(&mut s, "25000").unwrap();
    let after = s
        .office_dashboard(&CampaignDateRequest {
            campaign_id: camp,
            date: String::new(),
        })
        .unwrap();
    assert_eq!(line(&after), (returned + 25_000, to_return - 25_000));
}

#[test]
fn the_office_sees_its_lenders_at_a_date_and_sells_a_lot() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(&dir);
    let today = s
        .lender_positions(&DateRequest {
            date: String::new(),
        })
        .unwrap();
    assert!(!today.lines.is_empty(), "the demo's credit lines");
    // totals add up; interest accrues with time, on what is outstanding
    let sum: i64 = today.lines.iter().map(|l| francs(&l.total_due)).sum();
    assert_eq!(sum, francs(&today.total_due));
    let later = s
        .lender_positions(&DateRequest {
            date: "2027-06-30".into(),
        })
        .unwrap();
    for (a, b) in today.lines.iter().zip(&later.lines) {
        assert!(francs(&b.interest_accrued) >= francs(&a.interest_accrued));
    }
    assert!(
        francs(&later.interest_due) > francs(&today.interest_due),
        "{} then {}",
        today.interest_due,
        later.interest_due
    );
    assert_eq!(
        s.lender_positions(&DateRequest {
            date: "30/06/2027".into()
        })
        .unwrap_err()
        .field
        .as_deref(),
        Some("date")
    );

    // a repayment today: principal and interest come off
    let line = today
        .lines
        .iter()
        .find(|l| francs(&l.outstanding_principal) > 100_000)
        .expect("a line with principal outstanding");
    let after = s
        .repay_lender(&RepayRequest {
            credit_line_id: line.credit_line_id.clone(),
            principal: "100000".into(),
            interest: "0".into(),
        })
        .unwrap();
    let l2 = after
        .lines
        .iter()
        .find(|l| l.credit_line_id == line.credit_line_id)
        .unwrap();
    assert_eq!(
        francs(&l2.outstanding_principal),
        francs(&line.outstanding_principal) - 100_000
    );

    // a lot sold from the stock of a warehouse that holds rice
    let camp = rice(&s);
    let d = s
        .office_dashboard(&CampaignDateRequest {
            campaign_id: camp.clone(),
            date: String::new(),
        })
        .unwrap();
    let stock = d
        .stock
        .iter()
        .find(|w| w.stock_kg.parse::<f64>().unwrap() > 1000.0)
        .expect("a warehouse with stock");
    let coops = s.cooperatives().unwrap();
    let coop = coops
        .iter()
        .find(|c| c.name == stock.cooperative || c.code == stock.cooperative)
        .unwrap();
    let wh = s
        .warehouses(&CooperativeRequest {
            cooperative_id: coop.id.clone(),
        })
        .unwrap()
        .into_iter()
        .find(|w| w.name == stock.warehouse)
        .unwrap();
    let before = s
        .sale_lots(&CampaignRequest {
            campaign_id: camp.clone(),
        })
        .unwrap()
        .len();
    let lot = |s: &mut Session, kg: &str| {
        s.add_sale_lot(&SaleLotRequest {
            campaign_id: camp.clone(),
            crop: "paddy_rice".into(),
            buyer: "Grands Moulins du Mali".into(),
            warehouse_id: wh.id.clone(),
            kg: kg.into(),
            price_per_kg: "300".into(),
            costs: "15000".into(),
        })
    };
    assert!(
        lot(&mut s, "99999999").is_err(),
        "more than the warehouse holds"
    );
    let made = lot(&mut s, "1000").unwrap();
    assert_eq!(francs(&made.gross), 300_000);
    assert_eq!(francs(&made.net), 285_000);
    assert_eq!(
        s.sale_lots(&CampaignRequest { campaign_id: camp })
            .unwrap()
            .len(),
        before + 1
    );
}

#[test]
fn the_office_pairs_the_federation_which_reads_every_cooperative_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut office = office(&dir);
    let hub = office
        .hub_start(&HubStartRequest {
            listen: "127.0.0.1:0".into(),
        })
        .unwrap();
    // no agent to choose: the office makes the federation's, read-only
    let pairing = office
        .pair_device(&PairRequest {
            agent_id: String::new(),
            device_label: "Fédération des unions".into(),
            receipt_prefix: "FD".into(),
            federation: true,
        })
        .unwrap();
    let listed = office.hub_devices().unwrap();
    let row = listed
        .iter()
        .find(|d| d.device_id == pairing.device_id)
        .unwrap();
    assert!(row.federation);
    assert!(row.cooperatives.is_empty());
    assert_eq!(
        row.scope_label,
        "Fédération : lit toute l’union, n’écrit rien"
    );
    assert_eq!(row.agent_name, "Fédération des unions");
    assert_eq!(row.state, "pending");
    assert!(listed
        .iter()
        .filter(|d| !d.federation)
        .all(|d| d.scope_label == d.cooperatives.join(", ")));
    let agent = office
        .agents()
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Fédération des unions")
        .unwrap();
    assert_eq!(agent.role, "read_only");

    // it enrolls with its code and receives every cooperative, and may write nothing
    let fed_dir = tempfile::tempdir().unwrap();
    let mut fed = session(
        fed_dir.path(),
        Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap(),
    );
    let st = fed
        .enroll(
            &EnrollRequest {
                hub_url: hub.urls[0].clone(),
                device_id: pairing.device_id.clone(),
                code: pairing.code,
            },
            &mut |_| {},
        )
        .unwrap();
    assert!(!st.may_write);
    let all: Vec<String> = office
        .cooperatives()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let got: Vec<String> = fed
        .cooperatives()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(got, all);
    assert_eq!(
        fed.search_members(&SearchRequest {
            query: String::new(),
            cooperative_id: None,
        })
        .unwrap()
        .len(),
        office
            .search_members(&SearchRequest {
                query: String::new(),
                cooperative_id: None,
            })
            .unwrap()
            .len()
    );

    // revoked as any device
    let after = office
        .revoke_device(&DeviceRequest {
            device_id: pairing.device_id.clone(),
        })
        .unwrap();
    let row = after
        .iter()
        .find(|d| d.device_id == pairing.device_id)
        .unwrap();
    assert_eq!(row.state, "revoked");
    assert!(fed.sync_now(&mut |_| {}).is_err());
}
