//! The lender positions and sale lots read models on the small union of `common`: every figure
//! equals one worked out by hand below.
#![allow(clippy::unwrap_used)]

use crate::common::{d, fr, memory, Season};
use rust_decimal::Decimal;
use sene_app::finance::{NewCreditLine, NewDrawdown, NewLender, NewRepayment, NewSaleLot};
use sene_app::lending::{
    lender_position_totals, lender_positions, sale_lots, LenderPosition, LenderPositionTotals,
    SaleLotView,
};
use sene_app::season::Reverse;
use sene_app::AppError;
use sene_domain::*;

struct Lines {
    /// Kafo Jiginew, 10 000 000 at 12 %, tied to the campaign.
    kafo: CreditLineId,
    /// BNDA, 1 000 000 at 10 %, tied to no campaign.
    bnda: CreditLineId,
}

/// Kafo Jiginew (12 %/yr, line 1 May 2026 – 30 April 2027):
/// - 4 000 000 drawn 1 May 2026;
/// - 2 000 000 drawn 1 June 2026, then reversed (a mistake);
/// - 3 000 000 drawn 1 July 2026;
/// - repaid 2 000 000 of principal and 150 000 of interest on 1 October 2026.
///
/// BNDA (10 %/yr, line 1 June 2026 – 31 May 2027, no campaign):
/// - 1 000 000 drawn 1 June 2026;
/// - 50 000 of interest paid ahead on 15 June 2026 (no principal).
fn lines(s: &mut Season) -> Lines {
    let camp = s.camp;
    let (lines, wrong) =
        s.l.run(&s.sec, |tx| {
            let kafo = tx.add_lender(NewLender {
                id: None,
                name: "Kafo Jiginew".into(),
                kind: LenderKind::Microfinance,
            })?;
            let bnda = tx.add_lender(NewLender {
                id: None,
                name: "BNDA".into(),
                kind: LenderKind::Bank,
            })?;
            let k = tx.add_credit_line(NewCreditLine {
                id: None,
                lender_id: kafo.id,
                campaign_id: Some(camp),
                principal: fr(10_000_000),
                annual_rate: "0.12".parse()?,
                start: d(2026, 5, 1),
                maturity: d(2027, 4, 30),
                guarantee_share: "0.5".parse()?,
            })?;
            let b = tx.add_credit_line(NewCreditLine {
                id: None,
                lender_id: bnda.id,
                campaign_id: None,
                principal: fr(1_000_000),
                annual_rate: "0.10".parse()?,
                start: d(2026, 6, 1),
                maturity: d(2027, 5, 31),
                guarantee_share: "0".parse()?,
            })?;
            let draw = |line: CreditLineId, amount: i64, date| {
                tx.draw(NewDrawdown {
                    id: None,
                    credit_line_id: line,
                    amount: fr(amount),
                    date,
                })
            };
            draw(k.id, 4_000_000, d(2026, 5, 1))?;
            let wrong = draw(k.id, 2_000_000, d(2026, 6, 1))?;
            draw(k.id, 3_000_000, d(2026, 7, 1))?;
            tx.repay_lender(NewRepayment {
                id: None,
                credit_line_id: k.id,
                principal: fr(2_000_000),
                interest: fr(150_000),
                date: d(2026, 10, 1),
            })?;
            draw(b.id, 1_000_000, d(2026, 6, 1))?;
            tx.repay_lender(NewRepayment {
                id: None,
                credit_line_id: b.id,
                principal: Money::ZERO,
                interest: fr(50_000),
                date: d(2026, 6, 15),
            })?;
            Ok((
                Lines {
                    kafo: k.id,
                    bnda: b.id,
                },
                wrong.id,
            ))
        })
        .unwrap();
    // maker-checker: the drawdown typed twice is voided by a second person
    s.l.run(&s.committee, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Drawdown,
            target_id: wrong.to_string(),
            reason: "tirage saisi deux fois".into(),
            date: d(2026, 6, 2),
        })
    })
    .unwrap();
    lines
}

fn find(p: &[LenderPosition], id: CreditLineId) -> &LenderPosition {
    p.iter().find(|l| l.credit_line_id == id).unwrap()
}

/// (drawn, repaid principal, outstanding, accrued, repaid interest, interest due, total due)
fn figures(p: &LenderPosition) -> [i64; 7] {
    [
        p.drawn,
        p.repaid_principal,
        p.outstanding_principal,
        p.interest_accrued,
        p.repaid_interest,
        p.interest_due,
        p.total_due,
    ]
    .map(|m| m.francs())
}

#[test]
fn lender_positions_at_several_dates() {
    let mut s = memory();
    let ids = lines(&mut s);

    // 31 May 2026. Kafo: 4 000 000 × 0,12 × 30 / 365 = 39 452,05 -> 39 452.
    // BNDA starts on 1 June: nothing yet.
    let p = s.l.lender_positions(d(2026, 5, 31)).unwrap();
    assert_eq!(p, lender_positions(&s.l.db(), d(2026, 5, 31)).unwrap());
    assert_eq!(p.len(), 2);
    // by lender name
    assert_eq!(p[0].lender, "BNDA");
    assert_eq!(p[1].lender, "Kafo Jiginew");
    let k = find(&p, ids.kafo);
    assert_eq!(
        figures(k),
        [4_000_000, 0, 4_000_000, 39_452, 0, 39_452, 4_039_452]
    );
    assert_eq!(k.principal, fr(10_000_000));
    assert_eq!(k.annual_rate, "0.12".parse().unwrap());
    assert_eq!(k.campaign_id, Some(s.camp));
    assert_eq!((k.start, k.maturity), (d(2026, 5, 1), d(2027, 4, 30)));
    assert_eq!(figures(find(&p, ids.bnda)), [0; 7]);
    assert_eq!(find(&p, ids.bnda).campaign_id, None);

    // 15 June 2026. Kafo: the reversed 2 000 000 of 1 June is left out: 45 days on 4 000 000:
    // 4 000 000 × 0,12 × 45 / 365 = 59 178,08 -> 59 178.
    // BNDA: 1 000 000 × 0,10 × 14 / 365 = 3 835,62 -> 3 836, 50 000 paid ahead: nothing due.
    let p = s.l.lender_positions(d(2026, 6, 15)).unwrap();
    assert_eq!(
        figures(find(&p, ids.kafo)),
        [4_000_000, 0, 4_000_000, 59_178, 0, 59_178, 4_059_178]
    );
    assert_eq!(
        figures(find(&p, ids.bnda)),
        [1_000_000, 0, 1_000_000, 3_836, 50_000, 0, 1_000_000]
    );

    // 31 July 2026. Kafo: 4 000 000 × 61 days (1 May -> 1 July) + 7 000 000 × 30 days
    // = 454 000 000 franc-days × 0,12 / 365 = 149 260,27 -> 149 260.
    // BNDA: 60 days: 1 000 000 × 0,10 × 60 / 365 = 16 438,36 -> 16 438, still below 50 000.
    let p = s.l.lender_positions(d(2026, 7, 31)).unwrap();
    assert_eq!(
        figures(find(&p, ids.kafo)),
        [7_000_000, 0, 7_000_000, 149_260, 0, 149_260, 7_149_260]
    );
    assert_eq!(
        figures(find(&p, ids.bnda)),
        [1_000_000, 0, 1_000_000, 16_438, 50_000, 0, 1_000_000]
    );

    // 1 October 2026, the day of the repayment: 4 000 000 × 61 + 7 000 000 × 92 = 888 000 000
    // × 0,12 / 365 = 291 945,21 -> 291 945; 150 000 paid: 141 945 due on 5 000 000.
    let p = s.l.lender_positions(d(2026, 10, 1)).unwrap();
    assert_eq!(
        figures(find(&p, ids.kafo)),
        [7_000_000, 2_000_000, 5_000_000, 291_945, 150_000, 141_945, 5_141_945]
    );

    // 31 December 2026. Kafo: + 5 000 000 × 91 days (1 Oct -> 31 Dec) = 1 343 000 000
    // × 0,12 / 365 = 441 534,25 -> 441 534; due 441 534 − 150 000 = 291 534.
    // BNDA: 213 days: 1 000 000 × 0,10 × 213 / 365 = 58 356,16 -> 58 356; due 8 356.
    let p = s.l.lender_positions(d(2026, 12, 31)).unwrap();
    let k = find(&p, ids.kafo);
    let b = find(&p, ids.bnda);
    assert_eq!(
        figures(k),
        [7_000_000, 2_000_000, 5_000_000, 441_534, 150_000, 291_534, 5_291_534]
    );
    assert_eq!(
        figures(b),
        [1_000_000, 0, 1_000_000, 58_356, 50_000, 8_356, 1_008_356]
    );
    assert_eq!(
        lender_position_totals(&p).unwrap(),
        LenderPositionTotals {
            principal: fr(11_000_000),
            drawn: fr(8_000_000),
            repaid_principal: fr(2_000_000),
            outstanding_principal: fr(6_000_000),
            interest_accrued: fr(499_890),
            repaid_interest: fr(200_000),
            interest_due: fr(299_890),
            total_due: fr(6_299_890),
        }
    );

    // the dashboard's line agrees on what it shows (it counts every date)
    let dash = s.l.dashboard(s.camp, d(2026, 12, 31)).unwrap();
    let line = dash
        .lenders
        .iter()
        .find(|l| l.credit_line_id == ids.kafo)
        .unwrap();
    assert_eq!(
        (line.drawn, line.repaid_principal, line.outstanding),
        (k.drawn, k.repaid_principal, k.outstanding_principal)
    );
}

#[test]
fn no_credit_line_no_position() {
    let s = memory();
    let p = s.l.lender_positions(d(2026, 12, 31)).unwrap();
    assert!(p.is_empty());
    assert_eq!(
        lender_position_totals(&p).unwrap(),
        LenderPositionTotals::default()
    );
}

#[test]
fn sale_lots_figures() {
    // the warehouse holds 1 000 + 300 = 1 300 kg of paddy; base price 200 FCFA/kg
    let mut s = memory();
    let (camp, wh) = (s.camp, s.wh);
    let (good, low, wrong) =
        s.l.run(&s.sec, |tx| {
            let lot = |buyer: &str, kg: &str, price: i64, costs: i64, date| {
                tx.add_sale_lot(NewSaleLot {
                    id: None,
                    campaign_id: camp,
                    crop: Crop::PaddyRice,
                    buyer: buyer.into(),
                    sources: vec![LotSource {
                        warehouse_id: wh,
                        kg: kg.parse().unwrap(),
                    }],
                    price_per_kg: fr(price),
                    costs: fr(costs),
                    date,
                })
            };
            let good = lot("Grands Moulins", "800", 240, 10_000, d(2027, 1, 5))?;
            let low = lot("Commerçant", "250,5", 199, 1_000, d(2027, 1, 10))?;
            let wrong = lot("Erreur", "100", 300, 0, d(2027, 1, 7))?;
            tx.mark_lot_paid(good.id)?;
            Ok((good.id, low.id, wrong.id))
        })
        .unwrap();
    // maker-checker: the lot entered by mistake is voided by a second person
    s.l.run(&s.committee, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::SaleLot,
            target_id: wrong.to_string(),
            reason: "lot saisi par erreur".into(),
            date: d(2027, 1, 8),
        })
    })
    .unwrap();

    let lots = s.l.sale_lots(camp).unwrap();
    assert_eq!(lots, sale_lots(&s.l.db(), camp).unwrap());
    // by date
    assert_eq!(
        lots.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![good, wrong, low]
    );
    // 800 kg × 240 = 192 000; − 10 000 = 182 000; 227,50 /kg; above base:
    // 182 000 − 800 × 200 = 22 000
    assert_eq!(
        lots[0],
        SaleLotView {
            id: good,
            campaign_id: camp,
            crop: Crop::PaddyRice,
            buyer: "Grands Moulins".into(),
            date: d(2027, 1, 5),
            kg: "800".parse().unwrap(),
            price_per_kg: fr(240),
            gross: fr(192_000),
            costs: fr(10_000),
            net: fr(182_000),
            net_per_kg: Decimal::new(22_750, 2),
            base_price_per_kg: Some(fr(200)),
            above_base: Some(fr(22_000)),
            paid: true,
            reversed: false,
        }
    );
    // reversed: listed, marked, with its figures
    let w = &lots[1];
    assert!(w.reversed);
    assert!(!w.paid);
    assert_eq!(
        (w.gross, w.net, w.above_base),
        (fr(30_000), fr(30_000), Some(fr(10_000)))
    );
    // 250,5 kg × 199 = 49 849,5 -> 49 850; − 1 000 = 48 850; 48 850 / 250,5 = 195,0099… -> 195,01;
    // below the base price: 48 850 − 250,5 × 200 = −1 250 -> nothing above base
    let l = &lots[2];
    assert_eq!(l.kg, "250.5".parse().unwrap());
    assert_eq!(
        (l.gross, l.costs, l.net),
        (fr(49_850), fr(1_000), fr(48_850))
    );
    assert_eq!(l.net_per_kg, Decimal::new(19_501, 2));
    assert_eq!(l.base_price_per_kg, Some(fr(200)));
    assert_eq!(l.above_base, Some(Money::ZERO));
    assert!(!l.paid && !l.reversed);

    // the non-reversed lots take 800 + 250,5 kg from the warehouse, as the stock says
    let sold = Kg::sum(lots.iter().filter(|l| !l.reversed).map(|l| l.kg)).unwrap();
    assert_eq!(sold, "1050.5".parse().unwrap());
    assert_eq!(
        s.l.db().warehouse_stock(wh, Crop::PaddyRice).unwrap(),
        "249.5".parse().unwrap()
    );
}

#[test]
fn sale_lots_of_an_unknown_campaign() {
    let s = memory();
    assert!(matches!(
        s.l.sale_lots(CampaignId::new()),
        Err(AppError::NotFound { .. })
    ));
    assert!(s.l.sale_lots(s.camp).unwrap().is_empty());
}
