//! The union office's reconciliation use cases on a small fixed union: resolving anomalies
//! (the log, the key coming back when its evidence changes), physical stock counts against
//! the book stock, and the cash agents hand back; who may do them, and what is refused.
#![allow(clippy::unwrap_used)]

use crate::common::{d, fr, laptop, memory, season, sync, Season};
use chrono::{TimeZone, Utc};
use sene_app::anomalies::AnomalyKind;
use sene_app::finance::NewAllocation;
use sene_app::org::NewWarehouse;
use sene_app::*;
use sene_domain::*;
use sene_store::Store;

fn kg(n: i64) -> Kg {
    Kg::from_kg(n).unwrap()
}

/// The season of `common`, its clock on 20 January 2027 (after the deliveries).
fn office() -> Season {
    let s = memory();
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 8, 30, 0).unwrap());
    s
}

fn keys(s: &Season, code: &str) -> Vec<String> {
    s.l.anomalies(s.camp)
        .unwrap()
        .into_iter()
        .filter(|a| a.kind.code() == code)
        .map(|a| a.key)
        .collect()
}

fn count(s: &mut Season, wh: WarehouseId, on: chrono::NaiveDate, n: Kg) -> StockCountRow {
    let (sec, camp) = (s.sec, s.camp);
    s.l.run(&sec, |tx| {
        tx.record_stock_count(wh, camp, on, n, "compté sac par sac")
    })
    .unwrap()
}

type StockCountRow = sene_app::office::StockCount;

#[test]
fn a_count_one_kg_off_the_book_is_an_anomaly_and_an_equal_one_is_not() {
    let mut s = office();
    let wh = s.wh;
    // the book: A's 1 000 kg on 2 November, B's 300 kg on 3 November
    let c = count(
        &mut s,
        wh,
        d(2026, 11, 30),
        Kg::from_tenths(12_990).unwrap(),
    );
    assert_eq!(c.counted_by, s.sec.agent);
    let q = s.l.anomalies(s.camp).unwrap();
    let m: Vec<_> = q
        .iter()
        .filter_map(|a| match &a.kind {
            AnomalyKind::StockCountMismatch {
                warehouse_id,
                count_id,
                counted_on,
                counted,
                book,
                difference,
            } => Some((
                *warehouse_id,
                *count_id,
                *counted_on,
                *counted,
                *book,
                *difference,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        m,
        [(
            wh,
            c.id,
            d(2026, 11, 30),
            kg(1_299),
            kg(1_300),
            Kg::from_tenths(-10).unwrap()
        )]
    );
    // the newest count equals the book: nothing to see
    count(&mut s, wh, d(2026, 12, 1), kg(1_300));
    assert!(keys(&s, "stock_count_mismatch").is_empty());
    // the book at the count's date: on 2 November only A had delivered
    count(&mut s, wh, d(2026, 12, 2), kg(1_300));
    let mut s2 = office();
    let wh2 = s2.wh;
    count(&mut s2, wh2, d(2026, 11, 2), kg(1_000));
    assert!(keys(&s2, "stock_count_mismatch").is_empty());
    count(&mut s2, wh2, d(2026, 11, 2), kg(1_300));
    assert_eq!(keys(&s2, "stock_count_mismatch").len(), 1);
    // an empty warehouse counted empty is fine; one counted with stock is not
    let (sec, coop) = (s.sec, s.coop);
    let other =
        s.l.run(&sec, |tx| {
            tx.add_warehouse(NewWarehouse {
                id: None,
                cooperative_id: coop,
                name: "Magasin 2".into(),
                capacity: None,
            })
        })
        .unwrap();
    count(&mut s, other.id, d(2026, 12, 2), Kg::ZERO);
    assert!(keys(&s, "stock_count_mismatch").is_empty());
    count(&mut s, other.id, d(2026, 12, 3), kg(5));
    assert_eq!(keys(&s, "stock_count_mismatch").len(), 1);
    let counts = s.l.stock_counts(s.camp).unwrap();
    assert_eq!(counts.len(), 5);
}

#[test]
fn a_resolved_anomaly_leaves_the_queue_and_comes_back_when_its_evidence_changes() {
    let mut s = office();
    let (sec, field, camp, wh) = (s.sec, s.field, s.camp, s.wh);
    count(&mut s, wh, d(2026, 11, 30), kg(1_290));
    // a locked run with B in debt: a second, unrelated anomaly
    crate::common::propose(&mut s, camp, d(2027, 1, 15));
    s.l.run(&sec, |tx| {
        tx.lock_settlement(camp, d(2027, 1, 15), None, "janvier")
    })
    .unwrap();
    let stock = keys(&s, "stock_count_mismatch");
    let debts = keys(&s, "settlement_debt");
    assert_eq!((stock.len(), debts.len()), (1, 1));

    // a field agent may not resolve; an empty note, an unknown key are refused
    let e =
        s.l.run(&field, |tx| tx.resolve_anomaly(camp, &stock[0], "vu"))
            .unwrap_err();
    assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
    let e =
        s.l.run(&sec, |tx| tx.resolve_anomaly(camp, &stock[0], "   "))
            .unwrap_err();
    assert!(
        matches!(e, AppError::Domain(DomainError::EmptyText { .. })),
        "{e:?}"
    );
    let e =
        s.l.run(&sec, |tx| {
            tx.resolve_anomaly(camp, "stock_count_mismatch:rien", "vu")
        })
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("anomalie introuvable"), "{e}");
    assert!(s.l.anomaly_resolutions(camp).unwrap().is_empty());

    let r =
        s.l.run(&sec, |tx| {
            tx.resolve_anomaly(camp, &stock[0], "10 kg de freinte, constatée au magasin")
        })
        .unwrap();
    assert_eq!(r.kind, "stock_count_mismatch");
    assert_eq!(r.resolved_by, sec.agent);
    assert_eq!(r.device_id, sec.device);
    assert_eq!(
        r.resolved_at,
        Utc.with_ymd_and_hms(2027, 1, 20, 8, 30, 0).unwrap()
    );
    assert!(keys(&s, "stock_count_mismatch").is_empty());
    assert_eq!(keys(&s, "settlement_debt"), debts);
    assert_eq!(
        s.l.anomaly_resolutions(camp).unwrap(),
        std::slice::from_ref(&r)
    );

    // twice is refused, with who resolved it and why
    let e =
        s.l.run(&sec, |tx| tx.resolve_anomaly(camp, &stock[0], "encore"))
            .unwrap_err();
    assert!(matches!(e, AppError::Mismatch(_)), "{e:?}");
    assert!(e.to_string().contains("déjà résolue"), "{e}");

    // new evidence (another count, another figure): a new key, back in the queue
    count(&mut s, wh, d(2026, 12, 15), kg(1_280));
    let back = keys(&s, "stock_count_mismatch");
    assert_eq!(back.len(), 1);
    assert_ne!(back, stock);

    // the audit trail holds the resolution
    let audit = s.l.db().list_rows(sene_store::Table::Audit, 1000).unwrap();
    assert!(audit.iter().any(|a| a["action"] == "resolve_anomaly"
        && a["record_id"].as_str() == Some(r.id.to_string().as_str())));
}

#[test]
fn cash_returns_reconcile_an_agents_cash_to_the_franc() {
    let mut s = office();
    let (sec, field, camp, coop) = (s.sec, s.field, s.camp, s.coop);
    let agent = field.agent;
    s.l.run(&sec, |tx| {
        tx.allocate_funds(NewAllocation {
            id: None,
            campaign_id: camp,
            agent_id: agent,
            cooperative_id: coop,
            amount: fr(100_000),
            date: d(2026, 6, 1),
        })
    })
    .unwrap();
    let cash = |s: &Season| sene_app::reports::agent_cash(&s.l.db(), agent, camp).unwrap();
    assert_eq!(cash(&s).to_return, fr(100_000));

    // refused: a field agent recording, zero or negative francs, an unknown agent or
    // campaign, a date in the future
    let e =
        s.l.run(&field, |tx| {
            tx.record_cash_return(agent, camp, d(2027, 1, 10), fr(1), "")
        })
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
    for bad in [fr(0), fr(-5)] {
        let e =
            s.l.run(&sec, |tx| {
                tx.record_cash_return(agent, camp, d(2027, 1, 10), bad, "")
            })
            .unwrap_err();
        assert!(
            matches!(e, AppError::Domain(DomainError::OutOfRange { .. })),
            "{e:?}"
        );
    }
    let e =
        s.l.run(&sec, |tx| {
            tx.record_cash_return(AgentId::new(), camp, d(2027, 1, 10), fr(1), "")
        })
        .unwrap_err();
    assert!(
        matches!(e, AppError::NotFound { kind: "agent", .. }),
        "{e:?}"
    );
    let e =
        s.l.run(&sec, |tx| {
            tx.record_cash_return(agent, CampaignId::new(), d(2027, 1, 10), fr(1), "")
        })
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound { .. }), "{e:?}");
    let e =
        s.l.run(&sec, |tx| {
            tx.record_cash_return(agent, camp, d(2027, 1, 21), fr(1), "")
        })
        .unwrap_err();
    assert!(e.to_string().contains("date du retour"), "{e}");
    assert!(s.l.cash_returns(camp).unwrap().is_empty());

    // 60 000 back: 40 000 still held, no anomaly while the campaign is open
    let r =
        s.l.run(&sec, |tx| {
            tx.record_cash_return(agent, camp, d(2027, 1, 10), fr(60_000), "compté : 60 000")
        })
        .unwrap();
    assert_eq!((r.received_by, r.amount), (sec.agent, fr(60_000)));
    assert_eq!(cash(&s).returned, fr(60_000));
    assert_eq!(cash(&s).to_return, fr(40_000));
    let held = |s: &Season| -> Vec<(AgentId, Money)> {
        s.l.anomalies(s.camp)
            .unwrap()
            .into_iter()
            .filter_map(|a| match a.kind {
                AnomalyKind::AgentCashOutstandingAfterClose { position, gap, .. } => {
                    Some((position.agent_id, gap))
                }
                AnomalyKind::AgentCashNegative { position, gap } if position.agent_id == agent => {
                    Some((agent, gap.negated()))
                }
                _ => None,
            })
            .filter(|(a, _)| *a == agent)
            .collect()
    };
    assert!(held(&s).is_empty());
    // closed (a run locked): the 40 000 still held is an anomaly, to the franc
    crate::common::propose(&mut s, camp, d(2027, 1, 15));
    s.l.run(&sec, |tx| {
        tx.lock_settlement(camp, d(2027, 1, 15), None, "")
    })
    .unwrap();
    assert_eq!(held(&s), [(agent, fr(40_000))]);
    // all of it back: reconciled
    s.l.run(&sec, |tx| {
        tx.record_cash_return(agent, camp, d(2027, 1, 20), fr(40_000), "solde")
    })
    .unwrap();
    assert!(held(&s).is_empty());
    assert_eq!(cash(&s).to_return, Money::ZERO);
    // one franc too many: a negative position of 1 FCFA
    s.l.run(&sec, |tx| {
        tx.record_cash_return(agent, camp, d(2027, 1, 20), fr(1), "")
    })
    .unwrap();
    assert_eq!(held(&s), [(agent, fr(-1))]);
    assert_eq!(s.l.cash_returns(camp).unwrap().len(), 3);
    // the dashboard's agent line carries the same figures
    let dash = s.l.dashboard(camp, d(2027, 1, 20)).unwrap();
    let line = dash.agents.iter().find(|a| a.agent_id == agent).unwrap();
    assert_eq!(line.cash.returned, fr(100_001));
    assert_eq!(line.cash.to_return, fr(-1));
}

#[test]
fn only_the_secretariat_records_counts_and_bad_counts_are_refused() {
    let mut s = office();
    let (camp, wh, sec) = (s.camp, s.wh, s.sec);
    for actor in [s.field, s.committee] {
        let e =
            s.l.run(&actor, |tx| {
                tx.record_stock_count(wh, camp, d(2026, 12, 1), kg(1_300), "")
            })
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
    }
    for bad in [Kg::from_tenths(-1).unwrap(), kg(10_000_001)] {
        let e =
            s.l.run(&sec, |tx| {
                tx.record_stock_count(wh, camp, d(2026, 12, 1), bad, "")
            })
            .unwrap_err();
        assert!(e.to_string().contains("stock compté"), "{e}");
    }
    let e =
        s.l.run(&sec, |tx| {
            tx.record_stock_count(WarehouseId::new(), camp, d(2026, 12, 1), kg(1), "")
        })
        .unwrap_err();
    assert!(e.to_string().starts_with("magasin introuvable"), "{e}");
    let e =
        s.l.run(&sec, |tx| {
            tx.record_stock_count(wh, camp, d(2026, 1, 1), kg(1), "")
        })
        .unwrap_err();
    assert!(e.to_string().contains("date du comptage"), "{e}");
    assert!(s.l.stock_counts(camp).unwrap().is_empty());
}

#[test]
fn office_tables_refuse_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sene.db");
    let mut s = season(Store::open(&path).unwrap());
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 8, 30, 0).unwrap());
    let (sec, camp, wh, agent) = (s.sec, s.camp, s.wh, s.field.agent);
    let c = count(&mut s, wh, d(2026, 11, 30), kg(1_000));
    let key = keys(&s, "stock_count_mismatch").remove(0);
    s.l.run(&sec, |tx| {
        tx.record_cash_return(agent, camp, d(2027, 1, 10), fr(5), "")?;
        tx.resolve_anomaly(camp, &key, "vu")
    })
    .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    // office records are not synced: no automerge change was written for them
    let chunks = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM sync_chunks", [], |r| r.get(0))
            .unwrap()
    };
    let before = chunks(&conn);
    s.l.run(&sec, |tx| {
        tx.record_stock_count(wh, camp, d(2026, 12, 1), kg(1_300), "")?;
        tx.record_cash_return(agent, camp, d(2027, 1, 11), fr(7), "")
    })
    .unwrap();
    assert_eq!(chunks(&conn), before);
    for sql in [
        "UPDATE anomaly_resolutions SET note = 'x'",
        "DELETE FROM anomaly_resolutions",
        "UPDATE stock_counts SET counted_t = 0",
        "DELETE FROM stock_counts",
        "UPDATE cash_returns SET amount = 1",
        "DELETE FROM cash_returns",
    ] {
        let e = conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    drop(conn);
    assert_eq!(s.l.stock_counts(camp).unwrap()[0], c);
}

/// A laptop's delivery, recorded offline before a count and synced after it, changes the
/// book stock at the count's date: the count no longer matches, and once that is resolved,
/// another late delivery changes the evidence again and the anomaly is back. The office's
/// records stay in the office.
#[test]
fn a_delivery_synced_after_a_count_reopens_the_stock_anomaly() {
    use sene_app::season::RecordDelivery;
    let mut s = office();
    let (sec, camp, wh, b, cb) = (s.sec, s.camp, s.wh, s.b, s.cb);
    let (mut dev, dev_clock, scope) = laptop(&mut s);
    let deliver = |dev: &mut Ledger, field: &Actor, on, kg_gross| {
        dev.run(field, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: b,
                contract_id: cb,
                warehouse_id: wh,
                bags: 2,
                gross: Kg::from_kg(kg_gross)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: on,
            })
        })
        .unwrap()
    };
    // offline on 1 December: 100 kg accepted
    let field = s.field;
    deliver(&mut dev, &field, d(2026, 12, 1), 101);
    // the office counts what its books say on 5 December
    count(&mut s, wh, d(2026, 12, 5), kg(1_300));
    assert!(keys(&s, "stock_count_mismatch").is_empty());
    // the laptop comes to town: the book at 5 December is now 1 400 kg
    sync(&mut dev, &mut s.l, &scope);
    let first = keys(&s, "stock_count_mismatch");
    assert_eq!(first.len(), 1);
    let q = s.l.anomalies(camp).unwrap();
    let m = q.iter().find(|a| a.key == first[0]).unwrap();
    assert!(
        matches!(m.kind, AnomalyKind::StockCountMismatch { book, difference, .. }
            if book == kg(1_400) && difference == kg(-100)),
        "{m:?}"
    );
    s.l.run(&sec, |tx| {
        tx.resolve_anomaly(
            camp,
            &first[0],
            "livraison du 1er décembre arrivée après le comptage",
        )
    })
    .unwrap();
    assert!(keys(&s, "stock_count_mismatch").is_empty());
    // another late delivery before the count: new evidence, back in the queue
    dev_clock.set(Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap());
    deliver(&mut dev, &field, d(2026, 12, 2), 51);
    sync(&mut dev, &mut s.l, &scope);
    let again = keys(&s, "stock_count_mismatch");
    assert_eq!(again.len(), 1);
    assert_ne!(again, first);
    // nothing of the office went to the laptop
    assert!(dev.db().stock_counts(camp).unwrap().is_empty());
    assert!(dev.db().anomaly_resolutions(camp).unwrap().is_empty());
}
