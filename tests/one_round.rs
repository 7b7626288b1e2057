//! A push is one round trip even when the office has news for the laptop: the hub's answer
//! carries the news, and the laptop does not spend a second request saying it holds it (its
//! next sync's first request says so). Meanwhile the office counts what the answer carried as
//! sent, not confirmed: its USB file for the laptop still carries it, and an answer lost on a
//! cut link is sent again at the next sync. A real hub on loopback.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sene_app::sync::Scope;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::{client, usb, Reply};
use sene_sync::wire::Envelope;

/// What the office counts its laptop `device` lacks.
fn lacks(hub_store: &Path, device: DeviceId) -> usb::Lacks {
    let mut office = Ledger::open(hub_store).unwrap();
    usb::office_devices(&mut office)
        .unwrap()
        .into_iter()
        .find(|d| d.device_id == device.to_string())
        .and_then(|d| d.lacks)
        .unwrap()
}

/// The office registers a member in `coop`.
fn office_member(hub_store: &Path, s: &Setup, number: &str, name: &str) -> MemberId {
    let mut office = Ledger::open(hub_store).unwrap();
    office
        .run(&s.sec, |tx| member(tx, s.coop, number, name))
        .unwrap()
}

/// The office's USB file for the laptop, read on it.
fn usb_to(hub_store: &Path, l: &mut Ledger, device: DeviceId) -> sene_app::sync::SyncReport {
    let mut office = Ledger::open(hub_store).unwrap();
    let file = usb::hub_export(&mut office, device).unwrap();
    drop(office);
    usb::device_import(l, &file).unwrap()
}

/// Changes in `env` not written by `device`.
fn others_changes(env: &Envelope, device: DeviceId) -> usize {
    env.items
        .iter()
        .map(|(_, m)| {
            sene_sync::relay::changes_in(m)
                .iter()
                .filter(|(_, author)| *author != device.to_string())
                .count()
        })
        .sum()
}

#[test]
fn a_push_while_the_office_has_news_is_one_round_trip_and_is_confirmed_at_the_next_sync() {
    let One {
        dir: _dir,
        hub_store,
        s,
        url,
        mut a,
        ..
    } = one_laptop();
    let dev = s.a.device;
    // the bootstrap's answer was sent; the next sync, with nothing new, confirms it
    sync(&mut a, &url);
    assert_eq!(lacks(&hub_store, dev), usb::Lacks::default());

    // the office has news for the laptop while the laptop records a member offline
    let n1 = office_member(&hub_store, &s, "DIO-0301", "Bintou Sidibé");
    assert!(lacks(&hub_store, dev).changes >= 1);
    let m1 = a
        .run(&s.a, |tx| member(tx, s.coop, "DIO-0302", "Assitan Dembélé"))
        .unwrap();
    let mut steps = Vec::new();
    let push = client::sync(&mut a, Some(&url), &mut |p| steps.push(p.clone())).unwrap();
    assert!(push.refused_by_hub.is_empty(), "{push:?}");
    // what the laptop's progress line says: sent, the answer read (then applied), applied, done
    assert!(
        matches!(
            steps.as_slice(),
            [
                client::Progress::Sending { round: 1, .. },
                client::Progress::Answered { round: 1, bytes },
                client::Progress::Received { round: 1, records, .. },
                client::Progress::Done,
            ] if *bytes > 0 && *records >= 1
        ),
        "{steps:?}"
    );
    // their places on the progress bar: one, two, three of round 1, then the bar's end
    assert_eq!(
        steps.iter().map(client::Progress::step).collect::<Vec<_>>(),
        [1, 2, 3, client::Progress::STEPS],
        "{steps:?}"
    );
    assert_eq!(client::Progress::STEPS, client::MAX_ROUNDS * 3);
    assert_eq!(
        push.rounds, 1,
        "a push while the office has news took {} round trips: {push:?}",
        push.rounds
    );
    assert!(
        push.pushed.records >= 1 && push.pulled.records >= 1,
        "{push:?}"
    );
    assert!(
        a.db().member(n1).unwrap().is_some(),
        "the answer carried it"
    );
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m1).unwrap().is_some());
    drop(hub);
    // the office: nothing left to send, what it sent not yet confirmed
    let after = lacks(&hub_store, dev);
    assert_eq!(after.changes, 0, "{after:?}");
    assert!(after.sent >= 1, "{after:?}");

    // more news, and the laptop's next session: its first message names the heads the last
    // answer brought it to, so the hub sends only what came since, not that answer again
    office_member(&hub_store, &s, "DIO-0303", "Fanta Kané");
    let before = lacks(&hub_store, dev);
    assert!(before.changes >= 1 && before.sent >= 1, "{before:?}");
    a.sync_reset("hub").unwrap();
    let up = a.sync_outgoing("hub", &Scope::Everything).unwrap();
    assert!(
        up.items.iter().all(|(_, m)| sene_sync::engine::is_ack(m)),
        "the laptop had nothing new"
    );
    let token = a.setting(client::keys::HUB_TOKEN).unwrap().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(format!("{url}/v1/sync"))
        .header("authorization", &format!("Bearer {token}"))
        .header("x-sene-session", "0123456789abcdef")
        .send(&up.encode().unwrap()[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let reply = Reply::decode_with(&resp.body_mut().read_to_vec().unwrap(), None).unwrap();
    assert_eq!(
        others_changes(&reply.envelope, dev),
        before.changes,
        "the answer carries what was not sent, not the last answer again"
    );
    a.sync_incoming("hub", &reply.envelope, &Scope::Everything)
        .unwrap();
    assert_eq!(a.db().members(Some(s.coop)).unwrap().len(), 3);
    // the laptop's dictionary no longer matches the hub's: the next sync says it again without
    let r = sync(&mut a, &url);
    assert!(r.rounds <= 1, "{r:?}");
    assert_eq!(lacks(&hub_store, dev), usb::Lacks::default());
}

#[test]
fn an_answer_lost_on_a_cut_link_reaches_the_laptop_by_usb_or_at_the_next_sync() {
    let One {
        dir: _dir,
        hub_store,
        s,
        addr,
        url,
        mut a,
        ..
    } = one_laptop();
    let dev = s.a.device;
    sync(&mut a, &url);

    // the laptop pushes while the office has news; the answer is lost on the way back
    let n1 = office_member(&hub_store, &s, "DIO-0401", "Kadia Sow");
    let m1 = a
        .run(&s.a, |tx| member(tx, s.coop, "DIO-0402", "Rokia Ba"))
        .unwrap();
    let proxy = crate::hub::cutting_proxy(addr, 1);
    client::sync(&mut a, Some(&format!("http://{proxy}")), &mut |_| {}).unwrap_err();
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(
        hub.db().member(m1).unwrap().is_some(),
        "the hub merged the push"
    );
    drop(hub);
    assert!(
        a.db().member(n1).unwrap().is_none(),
        "the answer never came"
    );
    // the office counts it sent, not confirmed: and its USB file for the laptop carries it
    let lost = lacks(&hub_store, dev);
    assert_eq!(lost.changes, 0, "{lost:?}");
    assert!(lost.sent >= 1, "{lost:?}");
    let got = usb_to(&hub_store, &mut a, dev);
    assert!(got.records >= 1, "{got:?}");
    assert!(
        a.db().member(n1).unwrap().is_some(),
        "the USB file carried it"
    );

    // again, and this time the next sync brings it
    let n2 = office_member(&hub_store, &s, "DIO-0403", "Aïssata Diallo");
    let m2 = a
        .run(&s.a, |tx| member(tx, s.coop, "DIO-0404", "Mariam Cissé"))
        .unwrap();
    let proxy = crate::hub::cutting_proxy(addr, 1);
    client::sync(&mut a, Some(&format!("http://{proxy}")), &mut |_| {}).unwrap_err();
    assert!(a.db().member(n2).unwrap().is_none());
    let r = sync(&mut a, &url);
    assert_eq!(r.rounds, 1, "{r:?}");
    assert!(
        a.db().member(n2).unwrap().is_some(),
        "the next sync brought it"
    );
    let hub = Ledger::open(&hub_store).unwrap();
    assert!(hub.db().member(m2).unwrap().is_some());
    assert_eq!(
        hub.db().members(Some(s.coop)).unwrap().len(),
        a.db().members(Some(s.coop)).unwrap().len()
    );
    drop(hub);
    sync(&mut a, &url);
    assert_eq!(lacks(&hub_store, dev), usb::Lacks::default());
}
