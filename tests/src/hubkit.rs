//! A real hub on loopback and a union to sync through it: what the hub scenarios
//! (`tests/hub.rs`, `tests/restore.rs`) start from.
#![allow(
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::too_many_lines
)]

use std::net::SocketAddr;
use std::path::Path;

use chrono::NaiveDate;
use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_hub::{client, enroll, ServeOptions};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Starts a hub on 127.0.0.1 with an ephemeral port, in its own thread and runtime.
pub fn start_hub(store: &Path) -> SocketAddr {
    start_hub_with(ServeOptions {
        store: store.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        key: None,
        backups: None,
    })
}

/// [`start_hub`] with its options.
pub fn start_hub_with(opts: ServeOptions) -> SocketAddr {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            if let Err(e) = sene_hub::serve(opts, Some(tx)).await {
                eprintln!("hub stopped: {e}");
            }
        });
    });
    rx.blocking_recv().unwrap()
}

pub struct Setup {
    pub coop: CooperativeId,
    pub other: CooperativeId,
    pub wh: WarehouseId,
    pub camp: CampaignId,
    pub sec: Actor,
    pub a: Actor,
    pub b: Actor,
    pub c: Actor,
    pub codes: Vec<String>,
}

pub fn setup(hub_store: &Path) -> Setup {
    let mut l = Ledger::open(hub_store).unwrap();
    let sec = l
        .init(&InitUnion {
            union_name: "Union de Ségou".into(),
            region: "Ségou".into(),
            agent_name: "Secrétariat".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let s = l
        .run(&sec, |tx| {
            let coop = tx.add_cooperative(NewCooperative {
                id: None,
                code: "DIO".into(),
                name: "Dioro".into(),
                village: "Dioro".into(),
                commune: "Dioro".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })?;
            let other = tx.add_cooperative(NewCooperative {
                id: None,
                code: "MKL".into(),
                name: "Markala".into(),
                village: "Markala".into(),
                commune: "Markala".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })?;
            let wh = tx.add_warehouse(NewWarehouse {
                id: None,
                cooperative_id: coop.id,
                name: "Magasin DIO".into(),
                capacity: None,
            })?;
            tx.add_warehouse(NewWarehouse {
                id: None,
                cooperative_id: other.id,
                name: "Magasin MKL".into(),
                capacity: None,
            })?;
            let camp = tx.open_campaign(NewCampaign {
                id: None,
                name: "Riz 2026/27".into(),
                family: CropFamily::Rice,
                prices: vec![CropPrice {
                    crop: Crop::PaddyRice,
                    base_price: Money::from_francs(200)?,
                    over_delivery_price: None,
                }],
                advance_share: None,
                fee: FeeModel::None,
                contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
                delivery_window: (d(2026, 10, 1), d(2027, 3, 31)),
                max_moisture: None,
                max_impurity: None,
                bag_tare: None,
                over_delivery_bought: false,
            })?;
            let mut actors = Vec::new();
            for (name, role, c, prefix) in [
                ("Awa", Role::FieldAgent, coop.id, "A1"),
                ("Bakary", Role::Committee, coop.id, "B1"),
                ("Cheick", Role::FieldAgent, other.id, "C1"),
            ] {
                let ag = tx.add_agent(NewAgent {
                    id: None,
                    name: name.into(),
                    phone: None,
                    role,
                    cooperatives: vec![c],
                })?;
                let dv = tx.add_device(NewDevice {
                    id: None,
                    label: format!("Portable {name}"),
                    receipt_prefix: prefix.into(),
                })?;
                actors.push(Actor {
                    agent: ag.id,
                    device: dv.id,
                });
            }
            Ok((coop.id, other.id, wh.id, camp.id, actors))
        })
        .unwrap();
    let (coop, other, wh, camp, actors) = s;
    let mut codes = Vec::new();
    for (i, a) in actors.iter().enumerate() {
        let c = if i < 2 { coop } else { other };
        codes.push(enroll::pair(&mut l, a.device, a.agent, &[c]).unwrap().code);
    }
    Setup {
        coop,
        other,
        wh,
        camp,
        sec,
        a: actors[0],
        b: actors[1],
        c: actors[2],
        codes,
    }
}

/// A hub on loopback over a new union, and field agent A's laptop (`path`) enrolled and
/// synced once.
pub struct One {
    pub dir: tempfile::TempDir,
    pub hub_store: std::path::PathBuf,
    pub s: Setup,
    pub addr: SocketAddr,
    pub url: String,
    pub path: std::path::PathBuf,
    pub a: Ledger,
}

pub fn one_laptop() -> One {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let path = dir.path().join("a.sqlite");
    let mut a = Ledger::open(&path).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    sync(&mut a, &url);
    One {
        dir,
        hub_store,
        s,
        addr,
        url,
        path,
        a,
    }
}

pub fn sync(l: &mut Ledger, url: &str) -> client::ClientReport {
    let r = client::sync(l, Some(url), &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    r
}

pub fn member(tx: &Tx<'_, '_>, coop: CooperativeId, number: &str, name: &str) -> Result<MemberId> {
    Ok(tx
        .register_member(
            NewMember {
                id: None,
                cooperative_id: coop,
                number: number.into(),
                full_name: name.into(),
                sex: Sex::Female,
                birth_year: Some(1980),
                village: "Dioro".into(),
                phone: None,
                nina: None,
                crops: vec![],
            },
            true,
        )?
        .id)
}

/// Aminata Traoré (`DIO-0001`) registered in the setup's cooperative, and her request of a
/// 1 000 kg paddy contract in its campaign (10 May 2026): what the scenarios pay and decide on.
pub fn aminata_contract(tx: &Tx<'_, '_>, s: &Setup) -> Result<ContractId> {
    let m = member(tx, s.coop, "DIO-0001", "Aminata Traoré")?;
    Ok(tx
        .request_contract(RequestContract {
            id: None,
            member_id: m,
            campaign_id: s.camp,
            crop: Crop::PaddyRice,
            committed: Kg::from_kg(1000)?,
            date: d(2026, 5, 10),
        })?
        .id)
}
