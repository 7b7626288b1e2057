//! The federation's read-only scope at the union hub (issue #23, item 1), over real HTTP: the
//! secretariat pairs the federation like a device; with its token the federation pulls every
//! document of a union of three cooperatives (the office's records and a laptop's); then every
//! write path from that token is refused and nothing lands in the hub's store (no document's
//! heads move): a new record in a cooperative and in the union document, a modified record, a
//! conflict's resolution, a change relayed for a laptop with its author's proof and without,
//! a USB file, its audit proof, the standby's endpoints. Its reads go on after the refusals
//! (over HTTP, and by the USB file the office makes for it), and once revoked its token is
//! refused.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sene_app::org::*;
use sene_app::sync::{Scope, FEDERATION_WRITES_NOTHING};
use sene_app::*;
use sene_domain::*;
use sene_fixture::{member, setup, start_hub, sync};
use sene_hub::usb::{self, UsbRefusal};
use sene_hub::{client, enroll};
use sene_store::Table;

/// Every document of a store with its heads.
fn heads(path: &Path) -> BTreeMap<String, Option<String>> {
    let l = Ledger::open(path).unwrap();
    let db = l.db();
    db.doc_ids()
        .unwrap()
        .into_iter()
        .map(|d| {
            let h = db.heads(&d).unwrap();
            (d, h)
        })
        .collect()
}

/// A copy of a closed store (its WAL too), opened.
fn copy(from: &Path, to: &Path) -> Ledger {
    for suffix in ["", "-wal"] {
        let mut a = from.as_os_str().to_owned();
        a.push(suffix);
        let mut b = to.as_os_str().to_owned();
        b.push(suffix);
        if Path::new(&a).exists() {
            std::fs::copy(&a, &b).unwrap();
        }
    }
    Ledger::open(to).unwrap()
}

/// A GET or POST with a bearer token: the status.
fn status(method: &str, url: &str, token: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let r = if method == "GET" {
        agent.get(url).header("authorization", &auth).call()
    } else {
        agent
            .post(url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .send(&br#"{"file":"x","sha256":"00"}"#[..])
    };
    r.unwrap().status().as_u16()
}

type Write = Box<dyn Fn(&mut Ledger) -> (Table, String)>;

#[test]
fn the_federation_reads_the_whole_union_and_every_write_of_its_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub_path = dir.path().join("hub.sqlite");
    let s = setup(&hub_path);
    // a third cooperative, members in each of the three, and the federation registered and
    // paired as the secretariat does it
    let (nrg, members, fed_dev, code) = {
        let mut l = Ledger::open(&hub_path).unwrap();
        let (nrg, members, dev) = l
            .run(&s.sec, |tx| {
                let nrg = tx
                    .add_cooperative(NewCooperative {
                        id: None,
                        code: "NRG".into(),
                        name: "Niaro".into(),
                        village: "Niaro".into(),
                        commune: "Niaro".into(),
                        cercle: "Ségou".into(),
                        region: "Ségou".into(),
                    })?
                    .id;
                let mut members = Vec::new();
                for (c, p) in [(s.coop, "DIO"), (s.other, "MKL"), (nrg, "NRG")] {
                    for i in 1..=2 {
                        members.push(member(
                            tx,
                            c,
                            &format!("{p}-000{i}"),
                            &format!("Membre {i} de {p}"),
                        )?);
                    }
                }
                let dev = tx.add_device(NewDevice {
                    id: None,
                    label: "Fédération des unions".into(),
                    receipt_prefix: "FD".into(),
                })?;
                Ok((nrg, members, dev.id))
            })
            .unwrap();
        let p = enroll::pair_federation(&mut l, dev).unwrap();
        // its own agent, read-only, named as its device
        let agent = l.db().agent(p.agent_id).unwrap().unwrap();
        assert_eq!(agent.role, Role::ReadOnly);
        assert_eq!(agent.name, "Fédération des unions");
        // paired again (a code lost): the same agent, a new code
        let again = enroll::pair_federation(&mut l, dev).unwrap();
        assert_eq!(again.agent_id, p.agent_id);
        assert_ne!(again.code, p.code);
        (nrg, members, dev, again.code)
    };
    let addr = start_hub(&hub_path);
    let url = format!("http://{addr}");

    // a laptop's record too: Awa registers a member of DIO and syncs
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    sync(&mut a, &url);
    let awa_member = a
        .run(&s.a, |tx| member(tx, s.coop, "DIO-0100", "Fanta Coulibaly"))
        .unwrap();
    sync(&mut a, &url);

    // the federation enrolls with its code and pulls: every document of the union, as the hub
    // holds it
    let fed_path: PathBuf = dir.path().join("federation.sqlite");
    let fed_token = {
        let mut fed = Ledger::open(&fed_path).unwrap();
        let e = client::enroll(&mut fed, &url, fed_dev, &code).unwrap();
        assert_eq!(e.union, "Union de Ségou");
        let r = sync(&mut fed, &url);
        assert!(r.pulled.records > 0, "{r:?}");
        for m in members.iter().chain([&awa_member]) {
            assert!(fed.db().member(*m).unwrap().is_some(), "member {m} missing");
        }
        for c in [s.coop, s.other, nrg] {
            assert!(fed.db().cooperative(c).unwrap().is_some());
        }
        e.token
    };
    let hub_heads = heads(&hub_path);
    assert!(
        hub_heads.keys().any(|d| d.contains(&nrg.to_string())),
        "{hub_heads:?}"
    );
    assert_eq!(
        heads(&fed_path),
        hub_heads,
        "the federation holds every document of the union, as the hub does"
    );

    // every write path from the federation's token, each from a copy of its store
    let a_bundle_key = Ledger::open(&hub_path)
        .unwrap()
        .db()
        .hub_device(&s.a.device.to_string())
        .unwrap()
        .unwrap()
        .bundle_key
        .unwrap();
    let as_secretariat = Actor {
        agent: s.sec.agent,
        device: fed_dev,
    };
    let (awa, dio, mkl) = (s.a, s.coop, s.other);
    let relayed = |proven: bool| -> Write {
        let key = a_bundle_key.clone();
        Box::new(move |l: &mut Ledger| {
            // a change under Awa's laptop's automerge actor, as if the federation carried it
            // for her
            let hex: String = awa
                .device
                .as_uuid()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            l.set_setting(sene_store::backup::keys::SYNC_ACTOR, &hex)
                .unwrap();
            let m = l
                .run(&awa, |tx| member(tx, dio, "DIO-0200", "Relayée"))
                .unwrap();
            if proven {
                // with her tag, as a laptop that received it from the office holds it
                let env = l.sync_outgoing("hub", &Scope::Everything).unwrap();
                let mut tags = Vec::new();
                for (_, item) in &env.items {
                    for (hash, author) in sene_sync::relay::changes_in(item) {
                        if author == awa.device.to_string() {
                            tags.push((hash.0, sene_sync::relay::tag(key.as_bytes(), &hash)));
                        }
                    }
                }
                assert!(!tags.is_empty());
                l.db().put_change_tags(&tags).unwrap();
            }
            (Table::Members, m.to_string())
        })
    };
    let (corrected_member, resolved_member) = (members[2], members[0]);
    let writes: Vec<(&str, Write)> = vec![
        (
            "a new record in a cooperative",
            Box::new(move |l: &mut Ledger| {
                let m = l
                    .run(&as_secretariat, |tx| {
                        member(tx, mkl, "MKL-0099", "Inscrite par la fédération")
                    })
                    .unwrap();
                (Table::Members, m.to_string())
            }),
        ),
        (
            "a new record in the union document",
            Box::new(move |l: &mut Ledger| {
                let c = l
                    .run(&as_secretariat, |tx| {
                        tx.add_cooperative(NewCooperative {
                            id: None,
                            code: "FAU".into(),
                            name: "Fausse".into(),
                            village: "V".into(),
                            commune: "C".into(),
                            cercle: "Ségou".into(),
                            region: "Ségou".into(),
                        })
                    })
                    .unwrap();
                (Table::Cooperatives, c.id.to_string())
            }),
        ),
        (
            "a modified record",
            Box::new(move |l: &mut Ledger| {
                let target = corrected_member;
                let c = l
                    .run(&as_secretariat, |tx| {
                        tx.correct_member(sene_app::registry::CorrectMember {
                            member_id: target,
                            village: Some("Ailleurs".into()),
                            reason: "par la fédération".into(),
                            ..sene_app::registry::CorrectMember::default()
                        })
                    })
                    .unwrap();
                (Table::RegistryChanges, c.change.id.to_string())
            }),
        ),
        (
            "a conflict's resolution",
            Box::new(move |l: &mut Ledger| {
                let r = sene_store::ConflictResolution {
                    id: ResolutionId::new().to_string(),
                    record_table: "members".into(),
                    record_key: resolved_member.to_string(),
                    kind: "fields".into(),
                    covers: "0123456789abcdef".into(),
                    choice: None,
                    action: "keep".into(),
                    money: false,
                    reason: "par la fédération".into(),
                    agent_id: as_secretariat.agent.to_string(),
                    device_id: fed_dev.to_string(),
                    resolved_at: "2026-06-01T00:00:00Z".into(),
                };
                l.run(&as_secretariat, |tx| {
                    tx.db().insert_conflict_resolution(&r)?;
                    Ok(())
                })
                .unwrap();
                (Table::ConflictResolutions, r.id)
            }),
        ),
        (
            "a change relayed for a laptop, its author proven",
            relayed(true),
        ),
        ("a change relayed for a laptop, unproven", relayed(false)),
    ];
    for (i, (what, write)) in writes.iter().enumerate() {
        let mut l = copy(&fed_path, &dir.path().join(format!("fed-{i}.sqlite")));
        let (table, key) = write(&mut l);
        let r = client::sync(&mut l, Some(&url), &mut |_| {})
            .unwrap_or_else(|e| panic!("{what}: the sync failed instead of a refusal: {e}"));
        assert!(
            r.refused_by_hub
                .iter()
                .any(|x| x.reason == FEDERATION_WRITES_NOTHING),
            "{what}: not refused: {r:?}"
        );
        assert!(
            r.refused_by_hub
                .iter()
                .all(|x| x.reason == FEDERATION_WRITES_NOTHING),
            "{what}: {r:?}"
        );
        assert_eq!(r.pushed.records, 0, "{what}");
        let hub = Ledger::open(&hub_path).unwrap();
        assert!(
            hub.db().row_by_key(table, &key).unwrap().is_none(),
            "{what}: the hub took {key}"
        );
        drop(hub);
        assert_eq!(heads(&hub_path), hub_heads, "{what}: a document moved");
    }
    let hub = Ledger::open(&hub_path).unwrap();
    let corrected = hub.db().member(members[2]).unwrap().unwrap();
    assert_eq!(
        corrected.village, "Dioro",
        "the modified record is as it was"
    );
    drop(hub);

    // a USB file from the federation: refused before anything of it merges
    {
        let mut l = copy(&fed_path, &dir.path().join("fed-usb.sqlite"));
        let m = l
            .run(&as_secretariat, |tx| {
                member(tx, s.other, "MKL-0098", "Par clé USB")
            })
            .unwrap();
        let bytes = usb::device_export(&mut l).unwrap();
        let mut hub = Ledger::open(&hub_path).unwrap();
        assert_eq!(
            usb::office_check(&hub, &bytes).unwrap().unwrap_err(),
            UsbRefusal::ReadOnly
        );
        let e = usb::hub_import(&mut hub, &bytes).unwrap_err();
        assert!(e.to_string().contains("fédération"), "{e}");
        assert!(UsbRefusal::ReadOnly
            .message(Lang::En)
            .contains("writes none"));
        assert!(hub
            .db()
            .row_by_key(Table::Members, &m.to_string())
            .unwrap()
            .is_none());
        assert!(hub.db().quarantined().unwrap().is_empty());
        drop(hub);
        assert_eq!(heads(&hub_path), hub_heads, "USB: a document moved");
    }

    // its audit proofs (sent at each sync above) were not kept: no head, nothing for the
    // anomaly queue
    let hub = Ledger::open(&hub_path).unwrap();
    assert_eq!(hub.db().audit_head_max(&fed_dev.to_string()).unwrap(), 0);
    drop(hub);

    // the standby's endpoints are the secretariat's
    for (method, path) in [
        ("GET", "/v1/standby"),
        ("GET", "/v1/standby/file/sauvegarde.sqlite"),
        ("POST", "/v1/standby/kept"),
    ] {
        assert_eq!(
            status(method, &format!("{url}{path}"), &fed_token),
            403,
            "{method} {path}"
        );
    }

    // its reads go on: the office's next record reaches it, with no refusal
    let new_member = {
        let mut l = Ledger::open(&hub_path).unwrap();
        l.run(&s.sec, |tx| {
            member(tx, nrg, "NRG-0003", "Nouvelle de Niaro")
        })
        .unwrap()
    };
    let mut fed = Ledger::open(&fed_path).unwrap();
    sync(&mut fed, &url);
    assert!(fed.db().member(new_member).unwrap().is_some());
    // and by USB: the office's file for it carries what it lacks
    let by_usb = {
        let mut hub = Ledger::open(&hub_path).unwrap();
        let m = hub
            .run(&s.sec, |tx| {
                member(tx, nrg, "NRG-0004", "Par le fichier du bureau")
            })
            .unwrap();
        (m, usb::hub_export(&mut hub, fed_dev).unwrap())
    };
    usb::device_check(&fed, &by_usb.1).unwrap().unwrap();
    let r = usb::device_import(&mut fed, &by_usb.1).unwrap();
    assert!(r.refused.is_empty(), "{r:?}");
    assert!(fed.db().member(by_usb.0).unwrap().is_some());

    // revoked like any device: its token is refused from then on
    {
        let mut hub = Ledger::open(&hub_path).unwrap();
        assert!(enroll::revoke(&mut hub, fed_dev).unwrap());
    }
    let e = client::sync(&mut fed, Some(&url), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("révoqué"), "{e}");
    assert_eq!(status("GET", &format!("{url}/v1/standby"), &fed_token), 401);
}
