//! Settlement runs: locked once and never edited, corrections as new runs, records that arrive
//! after a lock, the statement and payment list PDFs, the CSV and XLSX exports, and who may
//! lock.
#![allow(clippy::unwrap_used)]

use crate::common::{d, fr, laptop, memory, propose, season, sync, Season};
use chrono::{TimeZone, Utc};
use sene_app::export::{CsvStyle, CsvWriter};
use sene_app::season::*;
use sene_app::settlement::*;
use sene_app::*;
use sene_domain::*;
use sene_print::{format_money, pdf_text};
use sene_store::Store;

fn lock(s: &mut Season, replaces: Option<SettlementRunId>) -> SettlementRun {
    let (camp, sec) = (s.camp, s.sec);
    propose(s, camp, d(2027, 1, 15));
    s.l.run(&sec, |tx| {
        tx.lock_settlement(camp, d(2027, 1, 15), replaces, "règlement de janvier")
    })
    .unwrap()
}

#[test]
fn a_run_holds_the_settlement_of_the_campaign_at_its_date() {
    let mut s = memory();
    let run = lock(&mut s, None);
    let report = s.l.settle_campaign(s.camp, d(2027, 1, 15)).unwrap();
    assert_eq!(run.members, report.members);
    assert_eq!(run.totals, report.totals);
    assert_eq!(run.cooperatives, report.cooperatives);
    let a = run.members.iter().find(|l| l.member_id == s.a).unwrap();
    assert_eq!(a.delivered_value, fr(200_000));
    assert_eq!(a.advances, fr(120_000));
    assert_eq!(a.fees, fr(2_400));
    assert_eq!(a.fertilizer_credit, fr(30_000));
    assert_eq!(a.net, fr(47_600));
    let b = run.members.iter().find(|l| l.member_id == s.b).unwrap();
    assert_eq!(b.delivered_value, fr(60_000));
    assert_eq!(b.debt, fr(62_400));
    assert_eq!(run.totals.payable, fr(47_600));
    assert_eq!(run.run.note, "règlement de janvier");
    assert_eq!(run.run.locked_by, s.sec.agent);
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

#[test]
fn locking_twice_gives_two_runs_the_second_referencing_the_first() {
    let mut s = memory();
    let first = lock(&mut s, None);
    let second = lock(&mut s, Some(first.run.id));
    assert_ne!(first.run.id, second.run.id);
    assert_eq!(second.run.replaces, Some(first.run.id));
    assert_eq!(first.run.replaces, None);
    let runs = s.l.settlement_runs(Some(s.camp)).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first.run.id, second.run.id]
    );
    assert_eq!(s.l.settlement_run(first.run.id).unwrap(), first);
    // a correction must name a run of the same campaign
    let (sec, camp) = (s.sec, s.camp);
    let e =
        s.l.run(&sec, |tx| {
            tx.lock_settlement(camp, d(2027, 1, 15), Some(SettlementRunId::new()), "")
        })
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound { .. }), "{e:?}");
}

#[test]
fn a_late_delivery_leaves_the_run_unchanged_and_is_late_until_a_newer_run() {
    let mut s = memory();
    let run = lock(&mut s, None);
    assert!(s.l.late_records(run.run.id).unwrap().is_empty());
    // recorded after the lock (same clock instant on purpose: arrival order decides), dated
    // before the settlement date
    let (field, b, cb, wh) = (s.field, s.b, s.cb, s.wh);
    let late =
        s.l.run(&field, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: b,
                contract_id: cb,
                warehouse_id: wh,
                bags: 2,
                gross: Kg::from_kg(101)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 12, 1),
            })
        })
        .unwrap();
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
    let recs = s.l.late_records(run.run.id).unwrap();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0].id, late.id.to_string());
    assert_eq!(recs[0].kind, "delivery");
    assert_eq!(recs[0].member_id, b);
    // the statement of the locked run does not list it
    let st = member_statement(&s.l.db(), run.run.id, b).unwrap();
    assert_eq!(st.deliveries.len(), 1);
    // a newer run covers it
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 16, 9, 0, 0).unwrap());
    let newer = lock(&mut s, Some(run.run.id));
    assert!(s.l.late_records(run.run.id).unwrap().is_empty());
    assert!(s.l.late_records(newer.run.id).unwrap().is_empty());
    let nb = newer.members.iter().find(|l| l.member_id == b).unwrap();
    assert_eq!(nb.accepted, Kg::from_kg(400).unwrap());
    assert_eq!(nb.delivered_value, fr(80_000));
    let ob = run.members.iter().find(|l| l.member_id == b).unwrap();
    assert_eq!(ob.accepted, Kg::from_kg(300).unwrap());
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

#[test]
fn settlement_tables_refuse_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sene.db");
    let mut s = season(Store::open(&path).unwrap());
    let run = lock(&mut s, None);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM settlement_lines", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    for sql in [
        "UPDATE settlement_runs SET note = 'x'",
        "UPDATE settlement_runs SET date = '2027-02-01'",
        "DELETE FROM settlement_runs",
        "UPDATE settlement_lines SET net = 0",
        "DELETE FROM settlement_lines",
    ] {
        let e = conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    drop(conn);
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

#[test]
fn only_the_secretariat_locks_a_run() {
    let mut s = memory();
    let camp = s.camp;
    for actor in [s.field, s.committee] {
        let e =
            s.l.run(&actor, |tx| {
                tx.lock_settlement(camp, d(2027, 1, 15), None, "")
            })
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
    }
    assert!(s.l.settlement_runs(None).unwrap().is_empty());
}

#[test]
fn the_statement_shows_the_member_each_deduction_and_the_net_of_the_run() {
    let mut s = memory();
    let run = lock(&mut s, None);
    let line = run.members.iter().find(|l| l.member_id == s.a).unwrap();
    let pdf = member_statement_pdf(&s.l.db(), run.run.id, s.a).unwrap();
    let text = pdf_text(&pdf);
    for want in [
        "Relevé de règlement",
        "Aminata Traoré",
        "DIO-0001",
        "Riz 2026/27",
        "avances reçues",
        "frais sur avances",
        "engrais à crédit",
        "Net à payer au membre",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    for m in [
        line.delivered_value,
        line.advances,
        line.fees,
        line.fertilizer_credit,
        line.net,
    ] {
        assert!(text.contains(&format_money(m)), "{m} missing from:\n{text}");
    }
    assert!(
        text.contains("quarante-sept mille six cents francs CFA"),
        "{text}"
    );
    let st = member_statement(&s.l.db(), run.run.id, s.a).unwrap();
    assert_eq!(st.deliveries.len(), 1);
    assert!(text.contains(&st.deliveries[0].receipt), "{text}");
    assert_eq!(st.net, line.net);
    // the debtor's statement says debt, not payment
    let text = pdf_text(&member_statement_pdf(&s.l.db(), run.run.id, s.b).unwrap());
    assert!(text.contains("Dette reportée"), "{text}");
    assert!(text.contains(&format_money(fr(62_400))), "{text}");
    // the payment list: only A, with the total and a signature column
    let text = pdf_text(&payment_list_pdf(&s.l.db(), run.run.id, s.coop).unwrap());
    assert!(text.contains("Aminata Traoré"), "{text}");
    assert!(!text.contains("Seydou Diarra"), "{text}");
    assert!(text.contains("Signature ou empreinte"), "{text}");
    assert!(text.contains("TOTAL (1 membres)"), "{text}");
    assert!(text.contains(&format_money(fr(47_600))), "{text}");
}

#[test]
fn the_csv_and_xlsx_exports_hold_the_lines_and_totals_of_the_run() {
    use calamine::{Data, Reader};
    let mut s = memory();
    let run = lock(&mut s, None);
    let writer = CsvWriter::new(CsvStyle::French);
    let expected: Vec<Vec<String>> = export_rows(&run)
        .iter()
        .map(|r| r.iter().map(|c| writer.cell(c)).collect())
        .collect();
    assert_eq!(expected.len(), run.members.len() + 1);
    // CSV, in Excel's French style: BOM, `;`, decimal comma, CRLF
    let csv = settlement_csv(&run, CsvStyle::French);
    assert!(csv.starts_with('\u{feff}'), "the UTF-8 BOM first");
    assert_eq!(csv.matches("\r\n").count(), run.members.len() + 2);
    let rows: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], EXPORT_HEADERS.map(str::to_owned).to_vec());
    assert_eq!(rows[1..], expected[..]);
    let col = |h: &str| EXPORT_HEADERS.iter().position(|x| *x == h).unwrap();
    let (net, carried, debt) = (
        col("Net (FCFA)"),
        col("Dette reportée (FCFA)"),
        col("Dette (FCFA)"),
    );
    let a = rows.iter().find(|r| r[1] == "DIO-0001").unwrap();
    assert_eq!(a[col("Accepté (kg)")], "1000,0");
    assert_eq!(a[carried], "0", "nothing carried");
    assert_eq!(a[col("Complément de prix (FCFA)")], "0", "no complement");
    assert_eq!(a[net], "47600");
    let total = rows.last().unwrap();
    assert_eq!(total[0], "TOTAL");
    assert_eq!(total[net], (47_600 - 62_400).to_string());
    assert_eq!(total[debt], "62400");
    // XLSX, read back
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, settlement_xlsx(&run).unwrap()).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("Règlement").unwrap();
    let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(cells.len(), run.members.len() + 2);
    for (c, h) in EXPORT_HEADERS.iter().enumerate() {
        assert_eq!(cells[0][c], Data::String((*h).to_owned()));
    }
    for (row, want) in cells[1..].iter().zip(export_rows(&run)) {
        for (got, want) in row.iter().zip(want) {
            match want {
                Cell::Empty => assert_eq!(*got, Data::Empty),
                Cell::Text(t) if t.is_empty() => assert_eq!(*got, Data::Empty),
                Cell::Text(t) => assert_eq!(*got, Data::String(t)),
                Cell::Kg(k) => {
                    assert_eq!(*got, Data::Float(k.tenths() as f64 / 10.0));
                }
                Cell::Money(m) => assert_eq!(*got, Data::Float(m.francs() as f64)),
                Cell::Number(n) => assert_eq!(*got, Data::Float(n.to_string().parse().unwrap())),
            }
        }
    }
    let last = cells.last().unwrap();
    assert_eq!(last[0], Data::String("TOTAL".into()));
    assert_eq!(last[net], Data::Float(-14_800.0));
    let coops = wb.worksheet_range("Coopératives").unwrap();
    let c: Vec<Vec<Data>> = coops.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(c[1][0], Data::String("DIO".into()));
    let coop_net = c[0]
        .iter()
        .position(|h| *h == Data::String("Net (FCFA)".into()))
        .unwrap();
    assert!(c[0].contains(&Data::String("Dette reportée (FCFA)".into())));
    assert!(c[0].contains(&Data::String("Complément de prix (FCFA)".into())));
    assert_eq!(c[1][coop_net], Data::Float(-14_800.0));
    assert_eq!(c[1][1], Data::Float(2.0));
}

#[test]
fn the_lender_portfolio_per_cooperative_and_its_exports() {
    use calamine::{Data, Reader};
    use sene_app::portfolio::*;
    let s = memory();
    let p = lender_portfolio(&s.l.db(), s.camp).unwrap();
    assert_eq!(p.lines.len(), 1);
    let l = &p.lines[0];
    assert_eq!(l.cooperative, "DIO");
    assert_eq!(l.contracts, 2);
    assert_eq!(l.disbursed, fr(240_000));
    // A's delivery covers its 120 000 advance; B's covers 60 000 of it
    assert_eq!(l.recovered, fr(180_000));
    assert_eq!(l.outstanding, fr(60_000));
    assert_eq!(l.recovery_rate, rust_decimal::Decimal::from(75));
    assert_eq!(p.total.disbursed, l.disbursed);
    let csv = portfolio_csv(&p, CsvStyle::French);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], "DIO;2;240000;240000;180000;60000;75");
    assert_eq!(rows[2], "TOTAL;2;240000;240000;180000;60000;75");
    let csv = portfolio_csv(&p, CsvStyle::International);
    assert_eq!(
        csv.lines().nth(1),
        Some("DIO,2,240000,240000,180000,60000,75")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.xlsx");
    std::fs::write(&path, portfolio_xlsx(&p).unwrap()).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let r = wb.worksheet_range("Portefeuille").unwrap();
    let cells: Vec<Vec<Data>> = r.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(cells[0][0], Data::String("Coopérative".into()));
    assert_eq!(cells[1][3], Data::Float(240_000.0));
    assert_eq!(cells[1][5], Data::Float(60_000.0));
    assert_eq!(cells[1][6], Data::Float(75.0));
    assert_eq!(cells[2][0], Data::String("TOTAL".into()));
}

/// The scenario: a run locked at the office, then a delivery that a field laptop had
/// recorded *before* the lock (its `recorded_at` is older) but syncs after it. The run is
/// unchanged, the delivery is late until a newer run is locked.
#[test]
fn a_delivery_synced_after_the_lock_is_late_even_when_recorded_before_it() {
    let mut s = memory();
    let (mut dev, _, scope) = laptop(&mut s);
    // on the laptop, offline, on 1 December
    let (b, cb, wh) = (s.b, s.cb, s.wh);
    let late = dev
        .run(&s.field, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: b,
                contract_id: cb,
                warehouse_id: wh,
                bags: 2,
                gross: Kg::from_kg(101)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 12, 1),
            })
        })
        .unwrap();
    // the office locks on 20 January, without it
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0).unwrap());
    let run = lock(&mut s, None);
    assert!(late.recorded.recorded_at < run.run.locked_at);
    // the laptop comes to town
    sync(&mut dev, &mut s.l, &scope);
    assert!(s.l.db().delivery(late.id).unwrap().is_some());
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
    let recs = s.l.late_records(run.run.id).unwrap();
    assert_eq!(
        recs.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        vec![late.id.to_string()]
    );
    // a correction covers it
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 21, 9, 0, 0).unwrap());
    let newer = lock(&mut s, Some(run.run.id));
    assert_eq!(newer.run.replaces, Some(run.run.id));
    assert!(s.l.late_records(run.run.id).unwrap().is_empty());
    let nb = newer.members.iter().find(|l| l.member_id == b).unwrap();
    assert_eq!(nb.delivered_value, fr(80_000));
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

/// Opens a campaign with one crop at 200 FCFA/kg, no fee, contracts from May of `year`.
fn open(
    tx: &Tx<'_, '_>,
    name: &str,
    family: CropFamily,
    crop: Crop,
    year: i32,
) -> Result<Campaign> {
    tx.open_campaign(NewCampaign {
        id: None,
        name: name.into(),
        family,
        prices: vec![CropPrice {
            crop,
            base_price: fr(200),
            over_delivery_price: None,
        }],
        advance_share: None,
        fee: FeeModel::None,
        contract_window: (d(year, 5, 1), d(year, 8, 31)),
        delivery_window: (d(year, 10, 1), d(year + 1, 3, 31)),
        max_moisture: None,
        max_impurity: None,
        bag_tare: None,
        over_delivery_bought: false,
    })
}

/// A member's debt at a locked run is carried into the next campaign of the same crop family
/// (not into a campaign of another family), on the office and on the field laptop alike; a
/// correction run that clears the debt takes the carry back to zero.
#[test]
fn a_locked_debt_is_carried_into_the_next_campaign_of_its_family_on_every_replica() {
    let mut s = memory();
    let (mut dev, _, scope) = laptop(&mut s);
    let (sec, b, cb, wh) = (s.sec, s.b, s.cb, s.wh);
    let (cereals, next, later) =
        s.l.run(&sec, |tx| {
            Ok((
                open(
                    tx,
                    "Céréales 2027",
                    CropFamily::DryCereals,
                    Crop::Sorghum,
                    2027,
                )?
                .id,
                open(tx, "Riz 2027/28", CropFamily::Rice, Crop::PaddyRice, 2027)?.id,
                open(tx, "Riz 2028/29", CropFamily::Rice, Crop::PaddyRice, 2028)?.id,
            ))
        })
        .unwrap();
    // nothing is carried before a lock
    assert!(s
        .l
        .settle_campaign(next, d(2028, 1, 15))
        .unwrap()
        .members
        .is_empty());

    let run = lock(&mut s, None);
    let line_b = run.members.iter().find(|l| l.member_id == b).unwrap();
    assert_eq!(line_b.debt, fr(62_400));
    assert_eq!(line_b.carried_debt, Money::ZERO);
    let carry = s.l.db().debt_carry(b, s.camp).unwrap().unwrap();
    assert_eq!((carry.amount, carry.run_id), (fr(62_400), run.run.id));
    assert!(
        s.l.db().debt_carry(s.a, s.camp).unwrap().is_none(),
        "A is not in debt"
    );

    // the next rice campaign starts with B's debt; the cereals campaign and the one after do not
    let r = s.l.settle_campaign(next, d(2028, 1, 15)).unwrap();
    assert_eq!(r.members.len(), 1);
    let nb = &r.members[0];
    assert_eq!(nb.member_id, b);
    assert_eq!(nb.carried_debt, fr(62_400));
    assert_eq!(nb.net, fr(-62_400));
    assert_eq!(nb.debt, fr(62_400));
    assert_eq!(r.totals.carried_debt, fr(62_400));
    assert!(s
        .l
        .settle_campaign(cereals, d(2028, 1, 15))
        .unwrap()
        .members
        .is_empty());
    assert!(s
        .l
        .settle_campaign(later, d(2029, 1, 15))
        .unwrap()
        .members
        .is_empty());

    // the field laptop, after a sync, deducts the same debt, and the member's card shows the
    // next campaign's balance before any contract there
    sync(&mut dev, &mut s.l, &scope);
    assert_eq!(
        dev.settle_campaign(next, d(2028, 1, 15)).unwrap().members,
        r.members
    );
    let card = sene_app::views::member_card(&dev.db(), b, d(2028, 1, 15)).unwrap();
    let (camp, line) = card
        .balances
        .iter()
        .find(|(c, _)| c.id == next)
        .expect("the next campaign's balance is on the card");
    assert_eq!(camp.name, "Riz 2027/28");
    assert_eq!(line.carried_debt, fr(62_400));

    // B brings the rest of the rice late; the correction run leaves B out of debt, and the
    // carry goes back to zero everywhere
    s.l.run(&s.field, |tx| {
        tx.record_delivery(RecordDelivery {
            id: None,
            member_id: b,
            contract_id: cb,
            warehouse_id: wh,
            bags: 14,
            gross: Kg::from_kg(707)?,
            moisture: "14".parse()?,
            impurity: "2".parse()?,
            // dated within the run's period (a settlement at a date counts only what is
            // dated on or before it), recorded after the lock
            date: d(2027, 1, 15),
        })
    })
    .unwrap();
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 17, 9, 0, 0).unwrap());
    let fixed = lock(&mut s, Some(run.run.id));
    assert_eq!(
        fixed
            .members
            .iter()
            .find(|l| l.member_id == b)
            .unwrap()
            .debt,
        Money::ZERO
    );
    let carry = s.l.db().debt_carry(b, s.camp).unwrap().unwrap();
    assert_eq!((carry.amount, carry.run_id), (Money::ZERO, fixed.run.id));
    assert!(s
        .l
        .settle_campaign(next, d(2028, 1, 15))
        .unwrap()
        .members
        .is_empty());
    sync(&mut dev, &mut s.l, &scope);
    assert!(dev
        .settle_campaign(next, d(2028, 1, 15))
        .unwrap()
        .members
        .is_empty());
    // the first run is as it was locked
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

/// The carried debt is a line of the member's statement and a column of the exports.
#[test]
fn the_statement_and_exports_of_the_next_campaign_show_the_carried_debt() {
    let mut s = memory();
    let sec = s.sec;
    let first = lock(&mut s, None);
    // a correction that finds the same debt leaves the carry as the first run set it
    let again = lock(&mut s, Some(first.run.id));
    assert_eq!(again.run.replaces, Some(first.run.id));
    let carry = s.l.db().debt_carry(s.b, s.camp).unwrap().unwrap();
    assert_eq!((carry.amount, carry.run_id), (fr(62_400), first.run.id));
    let next =
        s.l.run(&sec, |tx| {
            Ok(open(tx, "Riz 2027/28", CropFamily::Rice, Crop::PaddyRice, 2027)?.id)
        })
        .unwrap();
    propose(&mut s, next, d(2028, 1, 15));
    let run =
        s.l.run(&sec, |tx| {
            tx.lock_settlement(next, d(2028, 1, 15), None, "")
        })
        .unwrap();
    let text = pdf_text(&member_statement_pdf(&s.l.db(), run.run.id, s.b).unwrap());
    assert!(text.contains("dette reportée"), "{text}");
    assert!(text.contains(&format_money(fr(62_400))), "{text}");
    let csv = settlement_csv(&run, CsvStyle::French);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("Dette reportée (FCFA)"));
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(";62400;-62400;"), "{row}");
    // still in debt: the debt carries on from this campaign too
    assert_eq!(
        s.l.db().debt_carry(s.b, next).unwrap().unwrap().amount,
        fr(62_400)
    );
}

/// The price complement: a lot sold above the base price net of costs leaves a surplus; the
/// secretariat decides a complement per counted kg within it, every replica's settlement pays
/// it, and the locked run, its statement and its export show it.
#[test]
fn a_price_complement_within_the_lots_surplus_is_paid_at_settlement_on_every_replica() {
    use sene_app::finance::NewSaleLot;
    use sene_app::lending::SetComplement;
    let mut s = memory();
    let (mut dev, _, scope) = laptop(&mut s);
    let (sec, field, camp, wh) = (s.sec, s.field, s.camp, s.wh);
    // A counts 1 000 kg, B 300: 1 300 kg. Before any lot, no surplus and nothing allowed.
    let o = s.l.complement_options(camp).unwrap();
    assert_eq!(o.len(), 1);
    assert_eq!((o[0].surplus, o[0].max_per_kg), (Money::ZERO, Money::ZERO));
    assert_eq!(o[0].counted, Kg::from_kg(1_300).unwrap());
    let set = |l: &mut Ledger, who: &Actor, per_kg: i64| {
        l.run(who, |tx| {
            tx.set_price_complement(SetComplement {
                campaign_id: camp,
                crop: Crop::PaddyRice,
                per_kg: fr(per_kg),
            })
        })
    };
    assert!(matches!(
        set(&mut s.l, &sec, 1),
        Err(AppError::AboveAvailable { .. })
    ));
    // 1 000 kg sold at 260 with 20 000 of costs: 240 000 net, 40 000 above the base price
    s.l.run(&sec, |tx| {
        tx.add_sale_lot(NewSaleLot {
            id: None,
            campaign_id: camp,
            crop: Crop::PaddyRice,
            buyer: "GMM".into(),
            sources: vec![LotSource {
                warehouse_id: wh,
                kg: Kg::from_kg(1_000)?,
            }],
            price_per_kg: fr(260),
            costs: fr(20_000),
            date: d(2027, 1, 5),
        })
    })
    .unwrap();
    let o = &s.l.complement_options(camp).unwrap()[0];
    assert_eq!(o.surplus, fr(40_000));
    assert_eq!(o.max_per_kg, fr(30), "⌊40 000 / 1 300⌋");
    // above the surplus, negative, or by a field agent: refused, nothing written
    let e = set(&mut s.l, &sec, 31).unwrap_err();
    assert!(matches!(e, AppError::AboveAvailable { .. }), "{e:?}");
    assert!(set(&mut s.l, &sec, -1).is_err());
    assert!(matches!(
        set(&mut s.l, &field, 10),
        Err(AppError::Forbidden { .. })
    ));
    assert_eq!(s.l.complement_options(camp).unwrap()[0].per_kg, Money::ZERO);
    let o = set(&mut s.l, &sec, 30).unwrap();
    assert_eq!(o.per_kg, fr(30));

    let r = s.l.settle_campaign(camp, d(2027, 1, 15)).unwrap();
    let a = r.members.iter().find(|l| l.member_id == s.a).unwrap();
    assert_eq!(a.complement, fr(30_000));
    assert_eq!(a.net, fr(47_600 + 30_000));
    let b = r.members.iter().find(|l| l.member_id == s.b).unwrap();
    assert_eq!(b.complement, fr(9_000));
    assert_eq!(b.debt, fr(62_400 - 9_000));
    assert_eq!(r.totals.complement, fr(39_000));
    // the field laptop pays the same
    sync(&mut dev, &mut s.l, &scope);
    assert_eq!(
        dev.settle_campaign(camp, d(2027, 1, 15)).unwrap().members,
        r.members
    );
    // the locked run keeps it: statement line and export column
    let run = lock(&mut s, None);
    assert_eq!(run.members, r.members);
    let text = pdf_text(&member_statement_pdf(&s.l.db(), run.run.id, s.a).unwrap());
    assert!(text.contains("complément de prix"), "{text}");
    assert!(text.contains(&format_money(fr(30_000))), "{text}");
    let csv = settlement_csv(&run, CsvStyle::French);
    let header: Vec<&str> = csv.lines().next().unwrap().split(';').collect();
    let col = header
        .iter()
        .position(|h| *h == "Complément de prix (FCFA)")
        .unwrap();
    let total: Vec<&str> = csv.lines().last().unwrap().split(';').collect();
    assert_eq!(total[col], "39000");
    // taken back (0): the next settlement pays none, the locked run is unchanged
    set(&mut s.l, &sec, 0).unwrap();
    let r = s.l.settle_campaign(camp, d(2027, 1, 15)).unwrap();
    assert_eq!(r.totals.complement, Money::ZERO);
    assert_eq!(s.l.settlement_run(run.run.id).unwrap(), run);
}

/// The dashboard exports: the XLSX holds every table with the dashboard's own figures, the CSV
/// the progress per cooperative and its total.
#[test]
fn the_dashboard_exports_hold_its_figures() {
    use calamine::{Data, Reader};
    use sene_app::dashboard::{dashboard_csv, dashboard_xlsx, PROGRESS_HEADERS};
    let s = memory();
    let d = s.l.dashboard(s.camp, d(2027, 1, 15)).unwrap();
    assert!(!d.cooperatives.is_empty() && !d.stock.is_empty());
    let csv = dashboard_csv(&d, CsvStyle::French);
    let rows: Vec<Vec<&str>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(';').collect())
        .collect();
    assert_eq!(rows[0][0], "Coopérative");
    assert_eq!(rows[0][1..], PROGRESS_HEADERS);
    assert_eq!(rows.len(), d.cooperatives.len() + 2);
    let total = rows.last().unwrap();
    assert_eq!(total[0], "TOTAL");
    assert_eq!(total[5], d.total.disbursed.francs().to_string());
    assert_eq!(total[6], d.total.recovered.francs().to_string());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    std::fs::write(&path, dashboard_xlsx(&d).unwrap()).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Coopératives",
            "Cultures",
            "Agents",
            "Stock",
            "Engrais",
            "Prêteurs"
        ]
    );
    let sheet = |wb: &mut calamine::Sheets<_>, name: &str| -> Vec<Vec<Data>> {
        wb.worksheet_range(name)
            .unwrap()
            .rows()
            .map(<[Data]>::to_vec)
            .collect()
    };
    let coops = sheet(&mut wb, "Coopératives");
    for (row, c) in coops[1..].iter().zip(&d.cooperatives) {
        assert_eq!(row[0], Data::String(c.code.clone()));
        assert_eq!(
            row[3],
            Data::Float(c.progress.delivered.tenths() as f64 / 10.0)
        );
        assert_eq!(row[5], Data::Float(c.progress.disbursed.francs() as f64));
    }
    let stock = sheet(&mut wb, "Stock");
    assert_eq!(stock.len(), d.stock.len() + 1);
    assert_eq!(
        stock[1][5],
        Data::Float(d.stock[0].stock.tenths() as f64 / 10.0)
    );
    let fert = sheet(&mut wb, "Engrais");
    assert_eq!(fert.len(), d.fertilizer.len() + 1);
    assert_eq!(
        fert[1][6],
        Data::Float(d.fertilizer[0].cost.francs() as f64)
    );
    let agents = sheet(&mut wb, "Agents");
    assert_eq!(agents.len(), d.agents.len() + 1);
}
