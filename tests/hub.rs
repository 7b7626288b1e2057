//! Three devices and a real hub on loopback: enrollment, offline work on each, syncs in
//! different orders, a USB file carried for one, a revoked device, malformed payloads. At the
//! end every store holds the same records for what it can see, and every concurrent edit and
//! probable duplicate is in the conflict queue.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::net::SocketAddr;
use std::path::Path;

use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::{client, enroll, usb, ServeOptions};

#[test]
fn three_devices_a_hub_and_a_usb_stick_converge() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");

    // enrollment
    let mut devs: Vec<Ledger> = Vec::new();
    for (i, actor) in [s.a, s.b, s.c].iter().enumerate() {
        let mut l = Ledger::open(&dir.path().join(format!("dev{i}.sqlite"))).unwrap();
        // a wrong code first
        let e = client::enroll(&mut l, &url, actor.device, "FAUXCODE00").unwrap_err();
        assert!(e.to_string().contains("code"), "{e}");
        client::enroll(&mut l, &url, actor.device, &s.codes[i]).unwrap();
        // the code is spent
        let mut again = Ledger::open(&dir.path().join(format!("again{i}.sqlite"))).unwrap();
        assert!(client::enroll(&mut again, &url, actor.device, &s.codes[i]).is_err());
        sync(&mut l, &url);
        assert_eq!(l.union().unwrap().name, "Union de Ségou");
        devs.push(l);
    }
    let (coop, other, wh, camp) = (s.coop, s.other, s.wh, s.camp);

    // offline work on A: members and contracts
    let (m1, m2, k1, k2) = devs[0]
        .run(&s.a, |tx| {
            let m1 = member(tx, coop, "DIO-0001", "Aminata Traoré")?;
            let m2 = member(tx, coop, "DIO-0002", "Fatoumata Coulibaly")?;
            let k1 = tx
                .request_contract(RequestContract {
                    id: None,
                    member_id: m1,
                    campaign_id: camp,
                    crop: Crop::PaddyRice,
                    committed: Kg::from_kg(1000)?,
                    date: d(2026, 5, 10),
                })?
                .id;
            let k2 = tx
                .request_contract(RequestContract {
                    id: None,
                    member_id: m2,
                    campaign_id: camp,
                    crop: Crop::PaddyRice,
                    committed: Kg::from_kg(500)?,
                    date: d(2026, 5, 10),
                })?
                .id;
            Ok((m1, m2, k1, k2))
        })
        .unwrap();
    // offline on C (other cooperative), who will travel with a USB stick
    let m3 = devs[2]
        .run(&s.c, |tx| member(tx, other, "MKL-0001", "Oumou Keïta"))
        .unwrap();

    // A syncs; B (committee) syncs and approves; A syncs again
    let push = sync(&mut devs[0], &url);
    assert_eq!(
        push.rounds, 1,
        "a day's push took {} round trips",
        push.rounds
    );
    sync(&mut devs[1], &url);
    devs[1]
        .run(&s.b, |tx| {
            tx.approve_contract(k1, d(2026, 5, 12))?;
            tx.approve_contract(k2, d(2026, 5, 12))
        })
        .unwrap();
    sync(&mut devs[1], &url);
    // A records a member offline, then pushes while the office has news for it (B's
    // approvals): one round trip, the answer carrying the news (tests/one_round.rs: what the
    // office then counts, a lost answer)
    let m4 = devs[0]
        .run(&s.a, |tx| member(tx, coop, "DIO-0004", "Kadiatou Diarra"))
        .unwrap();
    let pull = sync(&mut devs[0], &url);
    assert_eq!(
        pull.rounds, 1,
        "a push while the office has news took {} round trips",
        pull.rounds
    );
    assert!(pull.pulled.records > 0, "{pull:?}");
    assert!(pull.pushed.records > 0, "{pull:?}");
    sync(&mut devs[1], &url);
    assert!(devs[1].db().member(m4).unwrap().is_some());
    assert_eq!(
        devs[0].db().contract(k1).unwrap().unwrap().state,
        ContractState::Approved
    );

    // both A and B pay and weigh offline; the same delivery weighed twice (a probable duplicate)
    devs[0]
        .run(&s.a, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: k1,
                amount: Money::from_francs(120_000)?,
                date: d(2026, 6, 1),
                mode: PayMode::Cash,
            })?;
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: m1,
                contract_id: k1,
                warehouse_id: wh,
                bags: 20,
                gross: Kg::from_kg(1010)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 3),
            })
        })
        .unwrap();
    devs[1]
        .run(&s.b, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: k2,
                amount: Money::from_francs(60_000)?,
                date: d(2026, 6, 2),
                mode: PayMode::MobileMoney,
            })?;
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: m1,
                contract_id: k1,
                warehouse_id: wh,
                bags: 20,
                gross: Kg::from_kg(1010)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 3),
            })
        })
        .unwrap();
    // a concurrent edit of one field: B cancels k2 while the office marks it defaulted
    devs[1]
        .run(&s.b, |tx| {
            tx.decide_contract(k2, Decision::Default, d(2026, 12, 1))
        })
        .unwrap();
    {
        let mut hub_view = Ledger::open(&hub_store).unwrap();
        // (the office works through the same store as the running hub; SQLite serialises them)
        let _ = &mut hub_view;
    }

    // C carries a USB stick to town instead of syncing
    let file = usb::device_export(&mut devs[2]).unwrap();
    let mut hub_side = Ledger::open(&hub_store).unwrap();
    let r = usb::hub_import(&mut hub_side, &file).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert!(hub_side.db().member(m3).unwrap().is_some());
    // importing twice changes nothing
    let r2 = usb::hub_import(&mut hub_side, &file).unwrap();
    assert_eq!(r2.records, 0);
    // an altered file is refused
    let mut bad = file.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0x01;
    assert!(usb::hub_import(&mut hub_side, &bad).is_err());
    drop(hub_side);

    // syncs in a different order: B, A, C, then everyone again
    sync(&mut devs[1], &url);
    sync(&mut devs[0], &url);
    sync(&mut devs[2], &url);
    for i in [2, 0, 1, 0] {
        sync(&mut devs[i], &url);
    }

    // every store of cooperative DIO holds the same records
    let hub = Ledger::open(&hub_store).unwrap();
    let dump = |l: &Ledger| l.db().projection_dump().unwrap();
    let (da, db_, dh) = (dump(&devs[0]), dump(&devs[1]), dump(&hub));
    assert_eq!(da, db_, "A and B differ");
    for row in &da {
        assert!(dh.contains(row), "the hub lacks {row}");
    }
    // C sees MKL and the union, not DIO's members
    assert!(devs[2].db().member(m1).unwrap().is_none());
    assert!(devs[0].db().member(m3).unwrap().is_none());
    for row in dump(&devs[2]) {
        assert!(dh.contains(&row), "the hub lacks C's {row}");
    }
    // the duplicate delivery is queued (money) on the hub, and on A and B
    for l in [&hub, &devs[0], &devs[1]] {
        let q = l.conflicts(true).unwrap();
        assert!(
            q.iter().any(|c| c.record_table == "deliveries"
                && c.money
                && c.field == "(doublon probable)"),
            "{q:?}"
        );
    }
    // settlement on the hub: the duplicate delivery counts twice until resolved (by a reversal)
    let st = hub.settle_campaign(camp, d(2027, 1, 15)).unwrap();
    assert_eq!(st.members.len(), 2);
    let _ = (m2, s.sec);
}

#[test]
fn revoked_devices_malformed_payloads_and_foreign_tokens_are_refused() {
    let One {
        dir: _dir,
        hub_store,
        s,
        url,
        mut a,
        ..
    } = one_laptop();

    // a malformed body: a clear 400, nothing changes
    let http = ureq_post(
        &url,
        "/v1/sync",
        &a.setting(client::keys::HUB_TOKEN).unwrap().unwrap(),
        b"not an envelope",
    );
    assert_eq!(http.0, 400, "{}", http.1);
    assert!(http.1.contains("invalides"), "{}", http.1);
    // a token that is not one
    let http = ureq_post(&url, "/v1/sync", "0000", b"");
    assert_eq!(http.0, 401);

    // a device of DIO writes for MKL: the hub refuses that document whole
    let other = s.other;
    a.run(&s.a, |tx| member(tx, other, "MKL-0099", "Intrus Intrus"))
        .unwrap();
    let r = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    assert_eq!(r.refused_by_hub.len(), 1, "{r:?}");
    assert!(
        r.refused_by_hub[0].reason.contains("périmètre"),
        "{:?}",
        r.refused_by_hub
    );

    // revoked: refused at the next sync
    let mut office = Ledger::open(&hub_store).unwrap();
    assert!(enroll::revoke(&mut office, s.a.device).unwrap());
    drop(office);
    let e = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("révoqué"), "{e}");

    // its unsynced work, carried by USB stick: kept in quarantine for the secretariat, never
    // merged; the same file twice is kept once; an altered file is refused as forged
    let coop = s.coop;
    let late = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0300", "Awa Traoré"))
        .unwrap();
    let file = usb::device_export(&mut a).unwrap();
    let mut office = Ledger::open(&hub_store).unwrap();
    let e = usb::hub_import(&mut office, &file).unwrap_err();
    assert!(matches!(e, sene_hub::HubError::Quarantined { .. }), "{e}");
    assert!(e.to_string().contains("quarantaine"), "{e}");
    assert!(
        office.db().member(late).unwrap().is_none(),
        "nothing merged"
    );
    let again = usb::hub_import(&mut office, &file).unwrap_err();
    assert_eq!(again.to_string(), e.to_string());
    let kept = office.db().quarantined().unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].device_id, s.a.device.to_string());
    assert_eq!(
        office.db().quarantined_bytes(kept[0].id).unwrap().unwrap(),
        file
    );
    let q: Vec<_> = office
        .anomalies(s.camp)
        .unwrap()
        .into_iter()
        .filter(|x| x.kind.code() == "quarantined_file")
        .collect();
    assert_eq!(q.len(), 1, "{q:?}");
    let mut forged = file.clone();
    let mid = forged.len() / 2;
    forged[mid] ^= 0xff;
    let e = usb::hub_import(&mut office, &forged).unwrap_err();
    assert!(!matches!(e, sene_hub::HubError::Quarantined { .. }), "{e}");
    assert_eq!(office.db().quarantined().unwrap().len(), 1);
}

fn ureq_post(url: &str, path: &str, token: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .send(body)
        .unwrap();
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// A proxy whose first `drops` connections forward the request to the hub, let the hub
/// answer, then cut the link before the answer reaches the device; later ones pass through.
pub(crate) fn cutting_proxy(hub: SocketAddr, drops: usize) -> SocketAddr {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut client) = conn else { continue };
            let Ok(mut upstream) = TcpStream::connect(hub) else {
                continue;
            };
            if n < drops {
                // read the whole request, forward it, read the whole answer (the hub has
                // committed the merge by then), and hang up without passing it on
                let req = read_http_message(&mut client);
                upstream.write_all(&req).unwrap();
                let answer = read_http_message(&mut upstream);
                assert!(
                    answer.starts_with(b"HTTP/1.1 200"),
                    "the hub did not answer the proxied request"
                );
                drop(client);
                continue;
            }
            let mut c2 = client.try_clone().unwrap();
            let mut u2 = upstream.try_clone().unwrap();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut u2);
                let _ = u2.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut upstream, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    addr
}

/// One HTTP/1.1 message read whole from a stream: its headers, then as many body bytes as its
/// Content-Length says (ureq and the hub both send one). Waits as long as a loaded machine may
/// need; the connection stays open afterwards (keep-alive), so reading to its end would not do.
fn read_http_message(stream: &mut std::net::TcpStream) -> Vec<u8> {
    use std::io::Read;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut msg = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        if let Some(end) = msg.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&msg[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if msg.len() >= end + 4 + length {
                return msg;
            }
        }
        let k = stream.read(&mut buf).unwrap();
        assert!(k > 0, "the connection closed mid-message");
        msg.extend_from_slice(&buf[..k]);
    }
}

#[test]
fn a_link_dropped_mid_exchange_corrupts_nothing_and_the_next_run_completes() {
    let One {
        dir: _dir,
        hub_store,
        s,
        addr,
        url,
        mut a,
        ..
    } = one_laptop();
    let coop = s.coop;
    let m = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0100", "Nana Konaté"))
        .unwrap();
    // the office adds a member too, so the lost answer carried something
    let mut office = Ledger::open(&hub_store).unwrap();
    let m_office = office
        .run(&s.sec, |tx| member(tx, coop, "DIO-0200", "Sali Touré"))
        .unwrap();
    drop(office);

    let proxy = cutting_proxy(addr, 1);
    let e = client::sync(&mut a, Some(&format!("http://{proxy}")), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("relancez"), "{e}");
    // the hub merged the push, the device never heard back; both stores are sound
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m).unwrap().is_some());
    assert_eq!(hub.store().integrity_check().unwrap(), "ok");
    assert_eq!(a.store().integrity_check().unwrap(), "ok");
    assert!(a.db().member(m_office).unwrap().is_none());
    // the next run completes, and nothing is doubled
    let r = sync(&mut a, &url);
    assert!(r.rounds <= 2, "{r:?}");
    assert!(a.db().member(m_office).unwrap().is_some());
    let dump_a = a.db().projection_dump().unwrap();
    let dump_h = hub.db().projection_dump().unwrap();
    for row in &dump_a {
        assert!(dump_h.contains(row), "hub lacks {row}");
    }
    assert_eq!(
        hub.db().members(Some(coop)).unwrap().len(),
        a.db().members(Some(coop)).unwrap().len()
    );
    // the lost reply left the device naming an older head, which the hub still holds: an
    // honest history, nothing flagged
    let breaks = hub.db().audit_breaks().unwrap();
    assert!(breaks.is_empty(), "{breaks:?}");
}

/// Edits, in the closed store file, the audit row of Nana Konaté's registration (the
/// immutability trigger dropped first): a history rewritten behind the application's back.
fn rewrite_nana(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("DROP TRIGGER audit_immutable_u").unwrap();
    let n = c
        .execute(
            "UPDATE audit SET payload = replace(payload, 'Nana Konaté', 'Nana Konate') WHERE action = 'register_member' AND payload LIKE '%Nana Konaté%'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// A device's audit history rewritten in its file (a registration's payload edited, the
/// immutability trigger dropped first) is detected at its next sync: the hub records the
/// break and the secretariat's anomaly queue shows it, while honest syncs raise nothing.
#[test]
fn a_rewritten_audit_history_is_detected_at_the_next_sync() {
    let One {
        dir: _dir,
        hub_store,
        s,
        url,
        path,
        mut a,
        ..
    } = one_laptop();
    let coop = s.coop;
    for (n, name) in [("DIO-0100", "Nana Konaté"), ("DIO-0101", "Fanta Diallo")] {
        a.run(&s.a, |tx| member(tx, coop, n, name)).unwrap();
        sync(&mut a, &url);
    }
    sync(&mut a, &url);
    let office = Ledger::open(&hub_store).unwrap();
    assert!(office.db().audit_breaks().unwrap().is_empty());
    let rewritten = |l: &Ledger| {
        l.anomalies(s.camp)
            .unwrap()
            .into_iter()
            .filter(|x| x.kind.code() == "audit_rewritten")
            .collect::<Vec<_>>()
    };
    assert!(rewritten(&office).is_empty());
    drop(office);

    // the file is edited behind the application's back
    drop(a);
    rewrite_nana(&path);
    let mut a = Ledger::open(&path).unwrap();
    // the sync goes on (every record is still checked), and the office sees the break
    client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    let office = Ledger::open(&hub_store).unwrap();
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].device_id, s.a.device.to_string());
    assert!(breaks[0].reason.contains("réécrit"), "{breaks:?}");
    let q = rewritten(&office);
    assert_eq!(q.len(), 1, "{q:?}");
    // flagged once, not at every sync after
    drop(office);
    client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    let office = Ledger::open(&hub_store).unwrap();
    assert_eq!(office.db().audit_breaks().unwrap().len(), 1);
}

/// A union's own certificate authority and a hub certificate for 127.0.0.1, made with the
/// `openssl` command.
fn certificates(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed by scripts/test.sh");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Union test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "hub.key",
        "-out",
        "hub.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "hub.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "hub.pem",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
    ]);
    (dir.join("ca.pem"), dir.join("hub.pem"), dir.join("hub.key"))
}

#[test]
fn the_hub_serves_https_with_the_union_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = serve_https(&hub_store, cert, key);
    let url = format!("https://127.0.0.1:{}", addr.port());
    // without the union's certificate authority, the device refuses the hub
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    let e = client::enroll_with(&mut a, &url, s.a.device, &s.codes[0], None).unwrap_err();
    assert!(
        matches!(
            e,
            sene_hub::HubError::Certificate {
                problem: sene_hub::CertificateProblem::UnknownIssuer,
                ..
            }
        ),
        "{e}"
    );
    // with it, enrollment and sync work over TLS
    let pem = std::fs::read_to_string(&ca).unwrap();
    client::enroll_with(&mut a, &url, s.a.device, &s.codes[0], Some(&pem)).unwrap();
    sync(&mut a, &url);
    let coop = s.coop;
    let m = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0300", "Hawa Keïta"))
        .unwrap();
    sync(&mut a, &url);
    assert!(Ledger::open(&hub_store)
        .unwrap()
        .db()
        .member(m)
        .unwrap()
        .is_some());
}

#[test]
fn pushes_are_compressed_against_the_last_exchange_and_an_unknown_dictionary_falls_back() {
    let One {
        dir: _dir,
        hub_store,
        s,
        url,
        mut a,
        ..
    } = one_laptop();
    // both sides hold the same dictionary for the next exchange (the hub in one of its two
    // slots for the device, the other holding the one before)
    let slots = |hub: &Ledger| -> Vec<Option<String>> {
        [0, 1]
            .iter()
            .map(|slot| {
                hub.db()
                    .hub_dict(&s.a.device.to_string(), *slot)
                    .unwrap()
                    .and_then(|packed| {
                        // kept deflated: smaller than the dictionary itself (a damaged one
                        // reads as none)
                        let d = sene_sync::wire::unpack_dict(&packed).ok()?;
                        assert!(packed.len() < d.len(), "{} ≥ {}", packed.len(), d.len());
                        Some(sene_hub::to_hex(&d))
                    })
            })
            .collect()
    };
    let mine = a.setting(client::keys::HUB_DICT).unwrap().unwrap();
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(slots(&hub).contains(&Some(mine.clone())));
    assert!(!mine.is_empty());
    drop(hub);

    let coop = s.coop;
    let m = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0300", "Awa Diarra"))
        .unwrap();
    // the same push is smaller with the dictionary than without
    a.sync_reset("hub").unwrap();
    let up = a
        .sync_outgoing("hub", &sene_app::sync::Scope::Everything)
        .unwrap();
    let dict = sene_hub::from_hex(&mine).unwrap();
    assert!(up.encode_with(Some(&dict)).unwrap().len() < up.encode().unwrap().len());
    sync(&mut a, &url);
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m).unwrap().is_some());
    drop(hub);

    // a dictionary the hub never saw (a restored laptop): refused, and the push goes without
    a.set_setting(client::keys::HUB_DICT, &sene_hub::to_hex(b"ancien echange"))
        .unwrap();
    let m2 = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0301", "Fanta Coulibaly"))
        .unwrap();
    let r = sync(&mut a, &url);
    assert!(r.pushed.records >= 1, "{r:?}");
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m2).unwrap().is_some());
    assert!(slots(&hub).contains(&a.setting(client::keys::HUB_DICT).unwrap()));
    // one exchange more with the dictionary: both slots are used in turn, and the device's
    // dictionary is always in one of them
    let before = slots(&hub);
    drop(hub);
    a.run(&s.a, |tx| member(tx, coop, "DIO-0302", "Kadia Sangaré"))
        .unwrap();
    sync(&mut a, &url);
    let hub = Ledger::open(&hub_store).unwrap();
    let after = slots(&hub);
    assert!(after.contains(&a.setting(client::keys::HUB_DICT).unwrap()));
    assert_ne!(after, before);
    assert!(after.iter().all(Option::is_some));

    // each slot is written with its dictionary's id
    let c = rusqlite::Connection::open(&hub_store).unwrap();
    let ids: Vec<(Vec<u8>, Vec<u8>)> = c
        .prepare("SELECT deflated, dict_id FROM hub_dicts ORDER BY slot")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 2);
    for (packed, id) in &ids {
        let d = sene_sync::wire::unpack_dict(packed).unwrap();
        assert_eq!(id.as_slice(), sene_sync::wire::dict_id(&d).as_slice());
    }
    // the push went with the dictionary when the laptop's next one grows from it (one said
    // again without it, after a 409, starts from nothing)
    let held_tail = |held: &str| {
        let b = sene_hub::from_hex(held).unwrap();
        b[b.len().saturating_sub(1024)..].to_vec()
    };
    let went_with = |held: &[u8], a: &Ledger| {
        let next =
            sene_hub::from_hex(&a.setting(client::keys::HUB_DICT).unwrap().unwrap()).unwrap();
        next.windows(held.len()).any(|w| w == held)
    };
    // the dictionary before the device's last, which the hub keeps only in the store (that
    // exchange's reply lost)
    let before_last = |after: &[Option<String>], a: &Ledger| {
        let current = a.setting(client::keys::HUB_DICT).unwrap();
        after
            .iter()
            .flatten()
            .find(|d| Some(*d) != current.as_ref())
            .unwrap()
            .clone()
    };
    // slots written before the hub kept ids (NULL): still found, and written again with one
    let previous = before_last(&after, &a);
    a.set_setting(client::keys::HUB_DICT, &previous).unwrap();
    assert_eq!(
        c.execute("UPDATE hub_dicts SET dict_id = NULL", [])
            .unwrap(),
        2
    );
    drop(c);
    let held = held_tail(&previous);
    a.run(&s.a, |tx| member(tx, coop, "DIO-0304", "Bintou Traoré"))
        .unwrap();
    sync(&mut a, &url);
    assert!(went_with(&held, &a));
    let c = rusqlite::Connection::open(&hub_store).unwrap();
    let with_id: i64 = c
        .query_row(
            "SELECT count(*) FROM hub_dicts WHERE dict_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(with_id, 1);
    drop(c);
    let hub = Ledger::open(&hub_store).unwrap();
    let after = slots(&hub);
    drop(hub);

    // both of the hub's kept dictionaries damaged on disk, and the device holding the one
    // before its last (that exchange's reply lost; the hub keeps only the last one in
    // memory): the device is told to say its exchange again without one, and the push
    // still lands
    let previous = before_last(&after, &a);
    a.set_setting(client::keys::HUB_DICT, &previous).unwrap();
    let c = rusqlite::Connection::open(&hub_store).unwrap();
    let n = c
        .execute("UPDATE hub_dicts SET deflated = x'ff00ff'", [])
        .unwrap();
    assert_eq!(n, 2);
    drop(c);
    let m3 = a
        .run(&s.a, |tx| member(tx, coop, "DIO-0303", "Oumou Sidibé"))
        .unwrap();
    let held = held_tail(&previous);
    let r = sync(&mut a, &url);
    assert!(r.pushed.records >= 1, "{r:?}");
    assert!(!went_with(&held, &a), "said again without its dictionary");
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m3).unwrap().is_some());
    assert!(slots(&hub).contains(&a.setting(client::keys::HUB_DICT).unwrap()));
}

/// One row of the maker-checker table: the guarded action and what proves it.
type GuardRow = (Guarded, fn(&mut Four));

/// What the maker-checker rows share: the hub, its two laptops (A: a field agent; B: a
/// committee member, who may approve), and a second secretariat agent at the office.
struct Four {
    dir: std::path::PathBuf,
    url: String,
    hub_store: std::path::PathBuf,
    s: Setup,
    a: Ledger,
    b: Ledger,
    sec2: Actor,
}

fn contract_for(l: &mut Ledger, who: &Actor, s: &Setup, number: &str) -> (MemberId, ContractId) {
    l.run(who, |tx| {
        let m = member(tx, s.coop, number, &format!("Membre {number}"))?;
        let c = tx.request_contract(RequestContract {
            id: None,
            member_id: m,
            campaign_id: s.camp,
            crop: Crop::PaddyRice,
            committed: Kg::from_kg(1000)?,
            date: d(2026, 5, 10),
        })?;
        Ok((m, c.id))
    })
    .unwrap()
}

fn second_person(e: AppError) {
    assert!(
        matches!(e, AppError::SecondPersonRequired { .. }),
        "expected a second-person refusal, got {e:?}"
    );
}

/// A copy of a laptop's store, to forge on: a laptop holding a change its hub refuses cannot
/// sync that document any more, and the real laptops go on being the second persons.
fn forger(f: &Four, laptop: &str, case: &str) -> Ledger {
    let to = f.dir.join(format!("{case}.sqlite"));
    for suffix in ["", "-wal"] {
        let from = f.dir.join(format!("{laptop}.sqlite{suffix}"));
        if from.exists() {
            std::fs::copy(&from, f.dir.join(format!("{case}.sqlite{suffix}"))).unwrap();
        }
    }
    Ledger::open(&to).unwrap()
}

/// The hub's view of one column of a row.
fn at_hub(f: &Four, table: sene_store::Table, key: &str, column: &str) -> Option<String> {
    Ledger::open(&f.hub_store)
        .unwrap()
        .db()
        .column_by_key(table, key, column)
        .unwrap()
}

fn approve_row(f: &mut Four) {
    // the use case: B requests, B may approve (committee) but not this one
    let (_, k) = contract_for(&mut f.b, &f.s.b, &f.s, "MC-1");
    let e =
        f.b.run(&f.s.b, |tx| {
            tx.decide_contract(k, Decision::Approve, d(2026, 5, 11))
        })
        .unwrap_err();
    second_person(e);
    sync(&mut f.b, &f.url);
    // a second person (the office) approves it
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    hub.run(&f.s.sec, |tx| {
        tx.decide_contract(k, Decision::Approve, d(2026, 5, 11))
    })
    .unwrap();
    drop(hub);
    // forged on the laptop, round the use case: refused when merged at the hub
    let (_, k2) = contract_for(&mut f.b, &f.s.b, &f.s, "MC-2");
    sync(&mut f.b, &f.url);
    let agent = f.s.b.agent;
    let mut rogue = forger(f, "b", "forge-approval");
    rogue
        .run(&f.s.b, |tx| {
            tx.db().set_contract_state(
                k2,
                ContractState::Approved,
                Some(agent),
                Some(d(2026, 5, 11)),
            )?;
            tx.db().set_contract_approved_by(k2, agent)?;
            Ok(())
        })
        .unwrap();
    let r = client::sync(&mut rogue, Some(&f.url), &mut |_| {}).unwrap();
    assert!(!r.refused_by_hub.is_empty(), "{r:?}");
    let key = k2.to_string();
    assert_eq!(
        at_hub(f, sene_store::Table::Contracts, &key, "approved_by"),
        None
    );
    assert_eq!(
        at_hub(f, sene_store::Table::Contracts, &key, "state").as_deref(),
        Some("requested")
    );
}

fn reverse_row(f: &mut Four) {
    let (_, k) = contract_for(&mut f.a, &f.s.a, &f.s, "MC-3");
    sync(&mut f.a, &f.url);
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    hub.run(&f.s.sec, |tx| {
        tx.decide_contract(k, Decision::Approve, d(2026, 5, 11))
    })
    .unwrap();
    drop(hub);
    sync(&mut f.a, &f.url);
    let disburse = |l: &mut Ledger, who: &Actor| {
        l.run(who, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: k,
                amount: Money::from_francs(50_000)?,
                date: d(2026, 6, 1),
                mode: PayMode::Cash,
            })
        })
        .unwrap()
        .id
    };
    let x = disburse(&mut f.a, &f.s.a);
    let reverse = |target: DisbursementId| Reverse {
        id: None,
        target_kind: RecordKind::Disbursement,
        target_id: target.to_string(),
        reason: "montant mal saisi".into(),
        date: d(2026, 6, 2),
    };
    // who paid it may not void it…
    second_person(f.a.run(&f.s.a, |tx| tx.reverse(reverse(x))).unwrap_err());
    sync(&mut f.a, &f.url);
    // …a second person may (the committee member, on the other laptop)
    sync(&mut f.b, &f.url);
    f.b.run(&f.s.b, |tx| tx.reverse(reverse(x))).unwrap();
    sync(&mut f.b, &f.url);
    // forged on the laptop: a reversal written as its own maker, refused at the hub
    let y = disburse(&mut f.a, &f.s.a);
    sync(&mut f.a, &f.url);
    let me = f.s.a;
    let mut rogue = forger(f, "a", "forge-reversal");
    rogue
        .run(&me, |tx| {
            let receipt = tx.db().next_receipt(me.device)?;
            tx.db().insert_reversal(&Reversal {
                id: ReversalId::new(),
                target_kind: RecordKind::Disbursement,
                target_id: y.to_string(),
                reason: "contournement".into(),
                date: d(2026, 6, 2),
                recorded: Recorded {
                    agent_id: me.agent,
                    device_id: me.device,
                    receipt,
                    recorded_at: chrono::Utc::now(),
                },
            })?;
            Ok(())
        })
        .unwrap();
    let r = client::sync(&mut rogue, Some(&f.url), &mut |_| {}).unwrap();
    assert!(!r.refused_by_hub.is_empty(), "{r:?}");
    let hub = Ledger::open(&f.hub_store).unwrap();
    assert!(hub.db().reversal_of(&y.to_string()).unwrap().is_none());
    assert!(hub.db().reversal_of(&x.to_string()).unwrap().is_some());
}

fn conflict_row(f: &mut Four) {
    // the office records a delivery; the laptop records the same one (member, day, weight):
    // a probable duplicate over money, in the office's queue
    let (m, k) = contract_for(&mut f.a, &f.s.a, &f.s, "MC-4");
    sync(&mut f.a, &f.url);
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    hub.run(&f.s.b, |tx| {
        tx.decide_contract(k, Decision::Approve, d(2026, 5, 11))
    })
    .unwrap();
    let delivery = RecordDelivery {
        id: None,
        member_id: m,
        contract_id: k,
        warehouse_id: f.s.wh,
        bags: 10,
        gross: Kg::from_kg(505).unwrap(),
        moisture: "14".parse().unwrap(),
        impurity: "2".parse().unwrap(),
        date: d(2026, 11, 3),
    };
    let office = Actor {
        agent: f.s.sec.agent,
        device: f.s.sec.device,
    };
    hub.run(&office, |tx| tx.record_delivery(delivery.clone()))
        .unwrap();
    drop(hub);
    sync(&mut f.a, &f.url);
    f.a.run(&f.s.a, |tx| tx.record_delivery(delivery.clone()))
        .unwrap();
    sync(&mut f.a, &f.url);
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    let c = hub
        .conflicts(true)
        .unwrap()
        .into_iter()
        .find(|c| c.record_table == "deliveries" && c.money)
        .expect("the duplicate delivery is queued");
    // the secretariat agent who made one of the two may not settle it…
    second_person(
        hub.resolve_conflict(&office, &c.id, None, "une seule livraison ce jour-là")
            .unwrap_err(),
    );
    // …another secretariat agent may
    let sec2 = f.sec2;
    hub.resolve_conflict(&sec2, &c.id, None, "une seule livraison ce jour-là")
        .unwrap();
}

fn lock_row(f: &mut Four) {
    // runs stay in the office's store: the rule is the use case's, on the hub's own store
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    let (camp, at) = (f.s.camp, d(2027, 1, 15));
    let (sec, sec2) = (f.s.sec, f.sec2);
    // nothing proposed: no one locks
    second_person(
        hub.run(&sec2, |tx| tx.lock_settlement(camp, at, None, ""))
            .unwrap_err(),
    );
    hub.run(&sec, |tx| tx.propose_settlement(camp, at)).unwrap();
    // who proposed it may not lock it…
    second_person(
        hub.run(&sec, |tx| tx.lock_settlement(camp, at, None, ""))
            .unwrap_err(),
    );
    // …nor may anyone once the figures moved (a delivery synced since)
    let (_, k) = contract_for(&mut f.a, &f.s.a, &f.s, "MC-5");
    sync(&mut f.a, &f.url);
    hub.run(&f.s.b, |tx| {
        tx.decide_contract(k, Decision::Approve, d(2026, 5, 11))
    })
    .unwrap();
    drop(hub);
    sync(&mut f.a, &f.url);
    f.a.run(&f.s.a, |tx| {
        tx.disburse_advance(DisburseAdvance {
            id: None,
            contract_id: k,
            amount: Money::from_francs(10_000)?,
            date: d(2026, 6, 1),
            mode: PayMode::Cash,
        })
    })
    .unwrap();
    sync(&mut f.a, &f.url);
    let mut hub = Ledger::open(&f.hub_store).unwrap();
    let moved = hub
        .run(&sec2, |tx| tx.lock_settlement(camp, at, None, ""))
        .unwrap_err();
    assert!(matches!(moved, AppError::Mismatch(_)), "{moved:?}");
    // proposed again, a second person locks it
    hub.run(&sec, |tx| tx.propose_settlement(camp, at)).unwrap();
    let run = hub
        .run(&sec2, |tx| tx.lock_settlement(camp, at, None, ""))
        .unwrap();
    assert_eq!(run.run.locked_by, sec2.agent);
}

/// Maker-checker (issue #6): for each guarded action, the person who made the record is
/// refused by the use case and a second person is not; where the action travels in a synced
/// record, a record forged on a laptop to get round the use case is refused by the hub when
/// it is merged. The test fails if a guarded action has no row.
#[test]
fn every_guarded_action_needs_a_second_person_in_the_app_and_at_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let sec2 = {
        let mut l = Ledger::open(&hub_store).unwrap();
        let agent = l
            .run(&s.sec, |tx| {
                tx.add_agent(NewAgent {
                    id: None,
                    name: "Second secrétaire".into(),
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: vec![],
                })
            })
            .unwrap();
        Actor {
            agent: agent.id,
            device: s.sec.device,
        }
    };
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    sync(&mut a, &url);
    let mut b = Ledger::open(&dir.path().join("b.sqlite")).unwrap();
    client::enroll(&mut b, &url, s.b.device, &s.codes[1]).unwrap();
    sync(&mut b, &url);
    let mut f = Four {
        dir: dir.path().to_path_buf(),
        url,
        hub_store,
        s,
        a,
        b,
        sec2,
    };
    let rows: Vec<GuardRow> = vec![
        (Guarded::ApproveContract, approve_row),
        (Guarded::ReverseMoneyRecord, reverse_row),
        (Guarded::ResolveMoneyConflict, conflict_row),
        (Guarded::LockSettlement, lock_row),
    ];
    for g in Guarded::ALL {
        assert_eq!(
            rows.iter().filter(|(r, _)| r == g).count(),
            1,
            "the guarded action {g:?} needs one row in the maker-checker table"
        );
    }
    for (g, row) in rows {
        eprintln!("maker-checker: {g:?}");
        row(&mut f);
    }
}

/// The same rewrite carried to the office on a USB stick: the file holds the device's audit
/// proof (signed with the rest), and the hub's import flags the break as an HTTP sync does.
#[test]
fn a_rewritten_audit_history_is_detected_in_a_usb_file() {
    let One {
        dir: _dir,
        hub_store,
        s,
        url,
        path,
        mut a,
        ..
    } = one_laptop();
    let coop = s.coop;
    for (n, name) in [("DIO-0200", "Nana Konaté"), ("DIO-0201", "Fanta Diallo")] {
        a.run(&s.a, |tx| member(tx, coop, n, name)).unwrap();
        sync(&mut a, &url);
    }
    // an honest file: merged, nothing flagged
    a.run(&s.a, |tx| member(tx, coop, "DIO-0202", "Awa Sangaré"))
        .unwrap();
    let file = usb::device_export(&mut a).unwrap();
    let mut office = Ledger::open(&hub_store).unwrap();
    let r = usb::hub_import(&mut office, &file).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert!(office.db().audit_breaks().unwrap().is_empty());
    drop(office);

    drop(a);
    rewrite_nana(&path);
    let mut a = Ledger::open(&path).unwrap();
    a.run(&s.a, |tx| member(tx, coop, "DIO-0203", "Kadia Coulibaly"))
        .unwrap();
    let file = usb::device_export(&mut a).unwrap();
    let mut office = Ledger::open(&hub_store).unwrap();
    usb::hub_import(&mut office, &file).unwrap();
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].device_id, s.a.device.to_string());
    assert!(breaks[0].reason.contains("réécrit"), "{breaks:?}");
    // the file's records are merged all the same (each checked as any other)
    assert!(office
        .db()
        .list_rows(sene_store::Table::Members, 1000)
        .unwrap()
        .iter()
        .any(|m| m["full_name"] == "Kadia Coulibaly"));
}

/// Devices that sync at the same moment are merged together by the hub (group commit): each
/// gets its own answer, a malformed request among them is refused alone, and everyone ends
/// with the same records.
#[test]
fn devices_syncing_at_the_same_moment_are_merged_together_and_each_answered() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let paths: Vec<_> = (0..3)
        .map(|i| dir.path().join(format!("dev{i}.sqlite")))
        .collect();
    let mut token = String::new();
    for (i, actor) in [s.a, s.b, s.c].iter().enumerate() {
        let mut l = Ledger::open(&paths[i]).unwrap();
        client::enroll(&mut l, &url, actor.device, &s.codes[i]).unwrap();
        sync(&mut l, &url);
        if i == 0 {
            token = l.setting(client::keys::HUB_TOKEN).unwrap().unwrap();
        }
    }
    let (coop, other) = (s.coop, s.other);
    // field agents A (DIO) and C (MKL) work offline; B (committee of DIO) only syncs
    let writers = [(0usize, s.a, coop, "DIO"), (2, s.c, other, "MKL")];
    for round in 0..3 {
        for (i, who, c, code) in writers {
            let mut l = Ledger::open(&paths[i]).unwrap();
            for k in 0..5 {
                let number = format!("{code}-{round}{k:02}");
                l.run(&who, |tx| {
                    member(tx, c, &number, &format!("Membre {number}"))
                })
                .unwrap();
            }
        }
        // another writer holds the hub's file for a moment: the exchanges that arrive
        // meanwhile queue up and are merged together once it lets go
        let mut holder = sene_store::Store::open(&hub_store).unwrap();
        holder.begin_group().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let mut threads = Vec::new();
        for path in paths.clone() {
            let (barrier, url) = (barrier.clone(), url.clone());
            threads.push(std::thread::spawn(move || {
                let mut l = Ledger::open(&path).unwrap();
                barrier.wait();
                let r = client::sync(&mut l, Some(&url), &mut |_| {}).unwrap();
                assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
            }));
        }
        let (b2, url2, t2) = (barrier.clone(), url.clone(), token.clone());
        let bad = std::thread::spawn(move || {
            b2.wait();
            ureq_post(&url2, "/v1/sync", &t2, b"not an envelope")
        });
        std::thread::sleep(std::time::Duration::from_millis(400));
        holder.end_group(false).unwrap();
        drop(holder);
        for t in threads {
            t.join().unwrap();
        }
        let (status, text) = bad.join().unwrap();
        assert_eq!(status, 400, "{text}");
    }
    // one more round each, in turn, so that each sees what the others pushed meanwhile
    let mut ls: Vec<Ledger> = paths.iter().map(|p| Ledger::open(p).unwrap()).collect();
    for l in &mut ls {
        sync(l, &url);
    }
    let numbers = |l: &Ledger, c: CooperativeId| -> Vec<String> {
        let mut v: Vec<String> = l
            .db()
            .members(Some(c))
            .unwrap()
            .into_iter()
            .map(|m| m.number)
            .collect();
        v.sort();
        v
    };
    let hub = Ledger::open(&hub_store).unwrap();
    assert_eq!(numbers(&hub, coop).len(), 15);
    assert_eq!(numbers(&hub, other).len(), 15);
    assert_eq!(numbers(&ls[0], coop), numbers(&hub, coop));
    assert_eq!(numbers(&ls[1], coop), numbers(&hub, coop));
    assert_eq!(numbers(&ls[2], other), numbers(&hub, other));
    assert!(numbers(&ls[0], other).is_empty(), "outside A's scope");
    assert!(hub.conflicts(true).unwrap().is_empty());
}

fn serve_https(store: &Path, cert: std::path::PathBuf, key: std::path::PathBuf) -> SocketAddr {
    start_hub_with(ServeOptions {
        store: store.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some((cert, key)),
        key: None,
        backups: None,
    })
}

/// `sene hub cert` makes the union's authority and the office's certificate: a laptop given
/// the authority's certificate enrolls and syncs over HTTPS, one without it is told the
/// certificate cannot be trusted; a second certificate made later (a renewal) under the same
/// authority is trusted by the laptop with nothing new to install.
#[test]
fn the_unions_own_authority_from_hub_cert_serves_https() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let certs = dir.path().join("certificats");
    let today = d(2026, 12, 5);
    let names = vec!["127.0.0.1".to_owned(), "bureau.local".to_owned()];
    let made = sene_hub::cert::make(&certs, "Union de Ségou", &names, 825, today).unwrap();
    assert!(made.ca_created);
    let addr = serve_https(
        &hub_store,
        made.server_cert.clone(),
        made.server_key.clone(),
    );
    let url = format!("https://127.0.0.1:{}", addr.port());
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    let e = client::enroll_with(&mut a, &url, s.a.device, &s.codes[0], None).unwrap_err();
    assert!(
        matches!(
            e,
            sene_hub::HubError::Certificate {
                problem: sene_hub::CertificateProblem::UnknownIssuer,
                ..
            }
        ),
        "{e}"
    );
    let pem = std::fs::read_to_string(&made.ca_cert).unwrap();
    client::enroll_with(&mut a, &url, s.a.device, &s.codes[0], Some(&pem)).unwrap();
    sync(&mut a, &url);
    // a renewal: the authority is reused, the laptop trusts the new certificate as it is
    let again = sene_hub::cert::make(&certs, "Union de Ségou", &names, 825, today).unwrap();
    assert!(!again.ca_created);
    assert_eq!(std::fs::read_to_string(&again.ca_cert).unwrap(), pem);
    // the same office on a second address, served from a consistent copy of its store
    let hub2 = Ledger::open(&hub_store)
        .unwrap()
        .backup_into(&dir.path().join("copie"), None)
        .unwrap()
        .file;
    let addr2 = serve_https(&hub2, again.server_cert, again.server_key);
    let url2 = format!("https://127.0.0.1:{}", addr2.port());
    let r = client::sync(&mut a, Some(&url2), &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{r:?}");
}
