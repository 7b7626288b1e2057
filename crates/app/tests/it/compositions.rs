//! Each money composition has one truth (`sene_app::progress`): on a generated union with a
//! contract cancelled after its advance was paid, an over-delivery and reversed records, every
//! front that shows a figure shows the same one — dashboard, campaign report, lender portfolio,
//! settlement, collection sheets, member cards and the delivery preview.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use chrono::{NaiveDate, TimeZone, Utc};
use sene_app::demo::{generate_union, Scale};
use sene_app::progress::{self, ContractProgress};
use sene_app::season::{preview_contract_delivery, DisburseAdvance, RecordDelivery, Reverse};
use sene_app::*;
use sene_domain::*;

use crate::common::{d, ledger_at};

const SMALL: Scale = Scale {
    cooperatives: 3,
    members: 60,
    contracts: 60,
    deliveries: 300,
    distributions: 50,
};

fn union() -> (Ledger, Actor) {
    let mut l = ledger_at(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
    generate_union(&mut l, SMALL, 7, &mut |_| {}).unwrap();
    let sec = l.local_actor().unwrap();
    (l, sec)
}

/// The campaign with the most deliveries, and one delivery of it (its date and quality).
fn busiest(l: &Ledger) -> (Campaign, Delivery) {
    let db = l.db();
    let mut best: Option<(usize, Campaign, Delivery)> = None;
    for id in db.campaign_ids().unwrap() {
        let camp = db.campaign(id).unwrap().unwrap();
        let figures = db.campaign_contracts(id).unwrap();
        let delivered: Vec<_> = figures
            .iter()
            .filter(|f| f.accepted.is_positive())
            .collect();
        let Some(f) = delivered.first() else { continue };
        let card = views::member_card(&db, f.contract.member_id, d(2027, 1, 15)).unwrap();
        let Some(x) = card
            .deliveries
            .iter()
            .find(|x| x.reversed_by.is_none() && x.record.contract_id == f.contract.id)
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(n, _, _)| delivered.len() > *n) {
            best = Some((delivered.len(), camp, x.record.clone()));
        }
    }
    let (_, camp, x) = best.unwrap();
    (camp, x)
}

#[test]
fn every_front_gives_the_same_figures() {
    let (mut l, sec) = union();
    let (camp, sample) = busiest(&l);
    let date = sample.date;

    // 1. a contract with an advance, then cancelled (as a sync brings the cancel decided on
    //    another laptop while the advance was paid on this one)
    let figures = l.db().campaign_contracts(camp.id).unwrap();
    let paid = figures
        .iter()
        .find(|f| {
            !f.disbursements.is_empty()
                && f.contract.state.accepts_disbursement()
                && !f.accepted.is_positive()
        })
        .expect("a contract with an advance and no delivery")
        .contract
        .clone();
    {
        let (store, _, _) = l.parts().unwrap();
        store
            .write(|db| db.set_contract_state(paid.id, ContractState::Cancelled, None, Some(date)))
            .unwrap();
    }
    assert_eq!(
        l.db().contract(paid.id).unwrap().unwrap().state,
        ContractState::Cancelled
    );

    // 2. an advance paid and reversed
    let other = figures
        .iter()
        .find(|f| {
            f.contract.id != paid.id
                && f.contract.state.accepts_disbursement()
                && f.disbursements.is_empty()
        })
        .unwrap()
        .contract
        .clone();
    let adv = l
        .run(&sec, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: other.id,
                amount: Money::from_francs(1_000).unwrap(),
                date,
                mode: PayMode::Cash,
            })
        })
        .unwrap();
    // maker-checker: another secretariat agent reverses it
    let second = l
        .run(&sec, |tx| {
            tx.add_agent(sene_app::org::NewAgent {
                id: None,
                name: "Seconde secrétaire".into(),
                phone: None,
                role: Role::Secretariat,
                cooperatives: Vec::new(),
            })
        })
        .unwrap();
    let second = Actor {
        agent: second.id,
        device: sec.device,
    };
    l.run(&second, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Disbursement,
            target_id: adv.id.to_string(),
            reason: "saisie en double".into(),
            date,
        })
    })
    .unwrap();

    // 3. an over-delivery: the preview says what it adds, the settlement pays exactly that
    let target = l
        .db()
        .campaign_contracts(camp.id)
        .unwrap()
        .into_iter()
        .find(|f| f.contract.state.accepts_delivery() && f.contract.id != other.id)
        .unwrap();
    let c = target.contract.clone();
    let gross = c
        .committed
        .checked_add(Kg::from_tenths(5_000).unwrap())
        .unwrap();
    let preview = preview_contract_delivery(
        &camp,
        &c,
        target.accepted,
        10,
        gross,
        sample.moisture,
        sample.impurity,
    )
    .unwrap();
    assert!(preview.over_committed, "{preview:?}");
    let value_at = |l: &Ledger, date: NaiveDate| {
        let s = reports::settle_campaign(&l.db(), camp.id, date).unwrap();
        s.members
            .iter()
            .find(|m| m.member_id == c.member_id)
            .map_or(Money::ZERO, |m| m.delivered_value)
    };
    // every record counted: a settlement after the season
    let asof = d(2099, 12, 31);
    let value_of = |l: &Ledger| value_at(l, asof);
    let eve = date.pred_opt().unwrap();
    let (before, before_eve) = (value_of(&l), value_at(&l, eve));
    let member = l.db().member(c.member_id).unwrap().unwrap();
    let warehouse = l
        .db()
        .warehouses(Some(member.cooperative_id))
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let recorded = l
        .run(&sec, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: c.member_id,
                contract_id: c.id,
                warehouse_id: warehouse.id,
                bags: 10,
                gross,
                moisture: sample.moisture,
                impurity: sample.impurity,
                date,
            })
        })
        .unwrap();
    assert_eq!(recorded.accepted, preview.accepted);
    let after = value_of(&l);
    assert_eq!(
        after.checked_sub(before).unwrap(),
        preview.value,
        "the preview's value is what the settlement adds"
    );
    // the settlement at a date counts only what is dated on or before it
    assert_eq!(value_at(&l, eve), before_eve, "a settlement the day before");
    let expected_over = progress::over_price(&camp, c.crop);
    let card = views::member_card(&l.db(), c.member_id, date).unwrap();
    let line = card
        .contracts
        .iter()
        .find(|x| x.contract.id == c.id)
        .unwrap();
    let p = ContractProgress::of(&camp, &line.contract, line.disbursed, line.accepted).unwrap();
    assert_eq!(line.value, p.value, "card and progress: value");
    assert_eq!(
        p.value,
        sene_domain::rules::contract_value(line.accepted, c.committed, c.base_price, expected_over)
            .unwrap()
    );

    // the fronts, side by side
    let db = l.db();
    let dash = dashboard::dashboard(&db, camp.id, asof).unwrap();
    let report = reports::campaign_report(&db, camp.id).unwrap();
    let portfolio = portfolio::lender_portfolio(&db, camp.id).unwrap();
    let settlement = reports::settle_campaign(&db, camp.id, asof).unwrap();

    // which contracts count: the cancelled contract with an advance counts everywhere
    let counted: Vec<_> = db
        .campaign_contracts(camp.id)
        .unwrap()
        .into_iter()
        .filter(|f| progress::of_figures(&camp, f).unwrap().is_some())
        .collect();
    assert!(counted.iter().any(|f| f.contract.id == paid.id));
    let n = u32::try_from(counted.len()).unwrap();
    assert_eq!(dash.total.contracts, n, "dashboard: contracts");
    assert_eq!(report.total.contracts, n, "campaign report: contracts");
    assert_eq!(portfolio.total.contracts, n, "portfolio: contracts");

    // per-contract progress and the recovery rate
    assert_eq!(dash.total.committed, report.total.committed);
    assert_eq!(dash.total.delivered, report.total.delivered);
    assert_eq!(dash.total.advance_due, report.total.advance_due);
    assert_eq!(dash.total.advance_due, portfolio.total.advance_due);
    assert_eq!(dash.total.disbursed, report.total.disbursed);
    assert_eq!(dash.total.disbursed, portfolio.total.disbursed);
    assert_eq!(dash.total.recovered, report.total.recovered);
    assert_eq!(dash.total.recovered, portfolio.total.recovered);
    assert_eq!(dash.total.recovery_rate, report.total.recovery_rate);
    assert_eq!(dash.total.recovery_rate, portfolio.total.recovery_rate);
    assert_eq!(
        dash.total.recovery_rate,
        progress::recovery_rate(dash.total.recovered, dash.total.disbursed)
    );
    assert!(dash.total.recovery_rate < rust_decimal::Decimal::ONE_HUNDRED);

    // the settlement counts the same contracts: kg committed and accepted, advances paid
    assert_eq!(
        settlement.totals.committed, dash.total.committed,
        "settlement: committed"
    );
    assert_eq!(
        settlement.totals.accepted, dash.total.delivered,
        "settlement: accepted"
    );
    assert_eq!(
        settlement.totals.advances, dash.total.disbursed,
        "settlement: advances"
    );

    // collection sheets, cooperative by cooperative, add up to the same kg and advances
    let (mut committed, mut delivered, mut advance) = (Kg::ZERO, Kg::ZERO, Money::ZERO);
    for coop in db.cooperatives().unwrap() {
        let sheet = views::collection_sheet(&db, coop.id, camp.id).unwrap();
        committed = committed.checked_add(sheet.committed).unwrap();
        delivered = delivered.checked_add(sheet.delivered).unwrap();
        advance = advance.checked_add(sheet.advance).unwrap();
    }
    assert_eq!(committed, dash.total.committed, "sheets: committed");
    assert_eq!(delivered, dash.total.delivered, "sheets: delivered");
    assert_eq!(advance, dash.total.disbursed, "sheets: advances");

    // member cards: Σ the counted contracts' values is the settlement's delivered value, and
    // Σ the approved contracts' advance due is the dashboard's
    let (mut value, mut due) = (Money::ZERO, Money::ZERO);
    let mut members: Vec<MemberId> = counted.iter().map(|f| f.contract.member_id).collect();
    members.sort();
    members.dedup();
    for m in members {
        for line in views::member_card(&db, m, date).unwrap().contracts {
            if line.contract.campaign_id != camp.id
                || !progress::counts(line.contract.state, line.disbursed, line.accepted)
            {
                continue;
            }
            value = value.checked_add(line.value).unwrap();
            if progress::approved(line.contract.state) {
                due = due.checked_add(line.advance_due).unwrap();
            }
        }
    }
    assert_eq!(value, settlement.totals.delivered_value, "cards: value");
    assert_eq!(due, dash.total.advance_due, "cards: advance due");

    // a distribution's amount: its receipt, the cards' hand-outs and the dashboard's cost
    let mut cost = Money::ZERO;
    let mut handed = 0;
    for m in db.members(None).unwrap() {
        for x in views::member_card(&db, m.id, asof).unwrap().distributions {
            if x.reversed_by.is_some() || x.record.campaign_id != camp.id {
                continue;
            }
            let amount =
                sene_domain::rules::fertilizer_cost(x.record.bags, x.record.price_per_bag).unwrap();
            let doc = receipts::receipt_doc(&db, receipts::ReceiptRef::Distribution(x.record.id))
                .unwrap();
            assert_eq!(doc.amount, amount, "receipt: a distribution's amount");
            cost = cost.checked_add(amount).unwrap();
            handed += 1;
        }
    }
    assert!(handed > 0, "the union handed out fertilizer");
    let dash_cost = Money::sum(dash.fertilizer.iter().map(|f| f.cost)).unwrap();
    assert_eq!(dash_cost, cost, "dashboard: fertilizer cost");
}
