//! Writes records in a loop and prints `<kind> <id>` on stdout after each commit, until killed.
//! Used by the crash test: every printed id must survive a SIGKILL.
//!
//! Usage: crash_writer STORE MEMBER CONTRACT WAREHOUSE COOPERATIVE

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use sene_app::org::NewMember;
use sene_app::season::{DisburseAdvance, RecordDelivery};
use sene_app::Ledger;
use sene_domain::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("crash_writer: {e}");
        std::process::exit(1);
    }
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> Result<T, String> {
    args.get(i)
        .ok_or(format!("argument {i} missing"))?
        .parse()
        .map_err(|_| format!("argument {i} invalid"))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let store: PathBuf = arg(&args, 1)?;
    let member: MemberId = arg(&args, 2)?;
    let contract: ContractId = arg(&args, 3)?;
    let warehouse: WarehouseId = arg(&args, 4)?;
    let coop: CooperativeId = arg(&args, 5)?;
    let mut ledger = Ledger::open(&store).map_err(|e| e.to_string())?;
    let actor = ledger.local_actor().map_err(|e| e.to_string())?;
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).ok_or("date")?;
    let out = std::io::stdout();
    {
        // the store is open: the test starts its clock from here
        let mut lock = out.lock();
        writeln!(lock, "ready").map_err(|e| e.to_string())?;
        lock.flush().map_err(|e| e.to_string())?;
    }
    for i in 0u64.. {
        let line = match i % 3 {
            0 => {
                let d = ledger
                    .run(&actor, |tx| {
                        tx.record_delivery(RecordDelivery {
                            id: None,
                            member_id: member,
                            contract_id: contract,
                            warehouse_id: warehouse,
                            bags: 2,
                            gross: Kg::from_tenths(1013)?,
                            moisture: Percent::from_tenths(140)?,
                            impurity: Percent::ZERO,
                            date: day,
                        })
                    })
                    .map_err(|e| e.to_string())?;
                format!("delivery {}", d.id)
            }
            1 => {
                let d = ledger
                    .run(&actor, |tx| {
                        tx.disburse_advance(DisburseAdvance {
                            id: None,
                            contract_id: contract,
                            amount: Money::from_francs(1)?,
                            date: day,
                            mode: PayMode::Cash,
                        })
                    })
                    .map_err(|e| e.to_string())?;
                format!("disbursement {}", d.id)
            }
            _ => {
                let m = ledger
                    .run(&actor, |tx| {
                        tx.register_member(
                            NewMember {
                                id: None,
                                cooperative_id: coop,
                                number: format!("TST-{}", MemberId::new().as_uuid().simple())
                                    .chars()
                                    .take(20)
                                    .collect(),
                                full_name: format!("Membre {i}"),
                                sex: Sex::Male,
                                birth_year: None,
                                village: "Sibila".into(),
                                phone: None,
                                nina: None,
                                crops: vec![],
                            },
                            true,
                        )
                    })
                    .map_err(|e| e.to_string())?;
                format!("member {}", m.id)
            }
        };
        // printed only after the transaction committed
        let mut lock = out.lock();
        writeln!(lock, "{line}").map_err(|e| e.to_string())?;
        lock.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}
