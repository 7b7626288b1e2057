//! An office hub upgraded before its laptops (issue 20, the wire's zstd): it answers in zstd only
//! a laptop whose request said it reads it. A 0.1.0 laptop is simulated here by exactly what it
//! sent and kept: requests in deflate (`SENE` 1, 2) with its whole dictionary preset, a
//! dictionary of the last 32 KiB of the exchanges where this version keeps 64. It gets every
//! answer in deflate, day after day, without ever being told its dictionary is unknown (the hub
//! finds it as the tail of its own); a current laptop gets the same bootstrap in zstd.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::{Path, PathBuf};

use sene_app::sync::Scope;
use sene_app::*;
use sene_domain::*;
use sene_fixture::start_hub;
use sene_hub::{client, Reply};
use sene_sync::wire::{Envelope, Reads};

/// What 0.1.0 kept of the exchanges for the next one's dictionary.
const OLD_DICT_MAX: usize = 32 * 1024;

struct Office {
    store: PathBuf,
    coop: CooperativeId,
    sec: Actor,
    laptops: Vec<(Actor, String)>,
}

fn member(tx: &Tx<'_, '_>, coop: CooperativeId, number: &str) -> Result<MemberId> {
    let name = format!("Membre {number} de la coopérative de Dioro");
    sene_fixture::member(tx, coop, number, &name)
}

/// A union with one cooperative of 400 members (a bootstrap larger than 32 KiB) and two of its
/// laptops paired (`sene_fixture::setup`: Awa's and Bakary's).
fn office(dir: &Path) -> Office {
    let store = dir.join("hub.sqlite");
    let s = sene_fixture::setup(&store);
    let mut l = Ledger::open(&store).unwrap();
    l.run(&s.sec, |tx| {
        for n in 0..400 {
            member(tx, s.coop, &format!("DIO-{n:04}"))?;
        }
        Ok(())
    })
    .unwrap();
    Office {
        store,
        coop: s.coop,
        sec: s.sec,
        laptops: vec![(s.a, s.codes[0].clone()), (s.b, s.codes[1].clone())],
    }
}

/// One request as it goes on the wire; the status and the body of the answer.
fn post(l: &Ledger, session: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let url = l.setting(client::keys::HUB_URL).unwrap().unwrap();
    let token = l.setting(client::keys::HUB_TOKEN).unwrap().unwrap();
    let http = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut resp = http
        .post(format!("{}/v1/sync", url.trim_end_matches('/')))
        .header("authorization", &format!("Bearer {token}"))
        .header("x-sene-session", session)
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    (status, bytes)
}

/// 0.1.0's dictionary for the next exchange: the last 32 KiB of the one used, the request and
/// the reply.
fn old_next_dict(used: Option<&[u8]>, request: &[u8], reply: &[u8]) -> Vec<u8> {
    let mut d = used.unwrap_or_default().to_vec();
    d.extend_from_slice(request);
    d.extend_from_slice(reply);
    d.split_off(d.len().saturating_sub(OLD_DICT_MAX))
}

/// A sync as a 0.1.0 laptop makes it: its requests deflated with its whole dictionary, its
/// messages as automerge made them. Every answer must be deflate (`SENE` 1, or 2 with the
/// dictionary the request named). The sizes of the answers.
fn old_sync(l: &mut Ledger, dict: &mut Option<Vec<u8>>) -> Vec<usize> {
    // a new session each sync, as the laptop's own (any text the hub has not seen from it)
    static SYNCS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SYNCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let session = format!("ancien{n:010}");
    l.sync_reset("hub").unwrap();
    let mut sizes = Vec::new();
    for round in 1..=client::MAX_ROUNDS {
        let up = l.sync_outgoing("hub", &Scope::Everything).unwrap();
        if round > 1 && up.items.iter().all(|(_, m)| sene_sync::engine::is_ack(m)) {
            return sizes;
        }
        let body = up.encode_with(dict.as_deref()).unwrap();
        assert_eq!(Envelope::sender_reads(&body), Reads::Deflate);
        let (status, bytes) = post(l, &session, &body);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let magic = if dict.is_some() {
            b"SENE\x02"
        } else {
            b"SENE\x01"
        };
        assert_eq!(&bytes[..5], magic, "round {round}: an answer 0.1.0 reads");
        let reply = Reply::decode_with(&bytes, dict.as_deref()).unwrap();
        *dict = Some(old_next_dict(
            dict.as_deref(),
            &up.raw().unwrap(),
            &reply.raw().unwrap(),
        ));
        l.sync_incoming("hub", &reply.envelope, &Scope::Everything)
            .unwrap();
        sizes.push(bytes.len());
        if up.items.is_empty() && reply.envelope.items.is_empty() {
            return sizes;
        }
    }
    panic!("no end in {} rounds", client::MAX_ROUNDS);
}

fn members(l: &Ledger, coop: CooperativeId) -> usize {
    l.db().members(Some(coop)).unwrap().len()
}

#[test]
fn an_old_laptop_is_answered_in_deflate_and_a_new_one_in_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let addr = start_hub(&o.store);
    let url = format!("http://{addr}");

    // a 0.1.0 laptop: its bootstrap, then three days of work at both ends
    let (old_actor, old_code) = &o.laptops[0];
    let mut old = Ledger::open(&dir.path().join("old.sqlite")).unwrap();
    client::enroll(&mut old, &url, old_actor.device, old_code).unwrap();
    let mut dict = None;
    let boot = old_sync(&mut old, &mut dict);
    assert_eq!(members(&old, o.coop), 400);
    assert_eq!(
        dict.as_ref().unwrap().len(),
        OLD_DICT_MAX,
        "a full dictionary"
    );
    let mut n = 1000;
    for day in 1..=3 {
        old.run(old_actor, |tx| {
            for _ in 0..30 {
                member(tx, o.coop, &format!("A1-{n:04}"))?;
                n += 1;
            }
            Ok(())
        })
        .unwrap();
        let mut hub = Ledger::open(&o.store).unwrap();
        hub.run(&o.sec, |tx| {
            for _ in 0..10 {
                member(tx, o.coop, &format!("U1-{n:04}"))?;
                n += 1;
            }
            Ok(())
        })
        .unwrap();
        drop(hub);
        let sizes = old_sync(&mut old, &mut dict);
        assert!(!sizes.is_empty(), "day {day}");
        assert_eq!(members(&old, o.coop), 400 + day * 40, "day {day}");
    }
    let hub = Ledger::open(&o.store).unwrap();
    assert_eq!(members(&hub, o.coop), 400 + 3 * 40);
    drop(hub);

    // a current laptop: the same bootstrap, asked for in a request that says it reads zstd,
    // comes in zstd and smaller
    let (new_actor, new_code) = &o.laptops[1];
    let mut new = Ledger::open(&dir.path().join("new.sqlite")).unwrap();
    client::enroll(&mut new, &url, new_actor.device, new_code).unwrap();
    new.sync_reset("hub").unwrap();
    let mut up = new.sync_outgoing("hub", &Scope::Everything).unwrap();
    up.expand();
    let body = up.encode_for(None, Reads::Zstd).unwrap();
    assert_eq!(Envelope::sender_reads(&body), Reads::Zstd);
    let (status, bytes) = post(&new, "0123456789abcdef", &body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(&bytes[..5], b"SENE\x03", "a large answer to a zstd reader");
    let reply = Reply::decode(&bytes).unwrap();
    new.sync_incoming("hub", &reply.envelope, &Scope::Everything)
        .unwrap();
    eprintln!(
        "bootstrap of 400 members: {} B in deflate (0.1.0), {} B in zstd",
        boot[0],
        bytes.len()
    );
    assert!(bytes.len() < boot[0], "{} ≥ {}", bytes.len(), boot[0]);
    // and the current client goes on from there
    let r = client::sync(&mut new, None, &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{r:?}");
    assert_eq!(members(&new, o.coop), 400 + 3 * 40);
    let r = client::sync(&mut new, None, &mut |_| {}).unwrap();
    assert_eq!(
        r.pulled.records + r.pushed.records,
        0,
        "nothing more: {r:?}"
    );

    // the old laptop still syncs after the new one did
    old.run(old_actor, |tx| member(tx, o.coop, "A1-9999").map(|_| ()))
        .unwrap();
    old_sync(&mut old, &mut dict);
    client::sync(&mut new, None, &mut |_| {}).unwrap();
    assert_eq!(members(&new, o.coop), 400 + 3 * 40 + 1);
}

/// What a 0.1.0 hub answers to a request in a magic it does not know is what this one
/// answers to any body it cannot read: the client tells it apart, and says to upgrade the
/// office first.
#[test]
fn a_request_the_hub_cannot_read_is_refused_as_by_an_older_hub() {
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let addr = start_hub(&o.store);
    let (actor, code) = &o.laptops[0];
    let mut l = Ledger::open(&dir.path().join("l.sqlite")).unwrap();
    client::enroll(&mut l, &format!("http://{addr}"), actor.device, code).unwrap();
    // 0.1.0 read `SENE` 1 and 2 only: `SENE` 7 is as unknown to this hub
    let (status, bytes) = post(&l, "0123456789abcdef", b"SENE\x07 from a later version");
    assert_eq!(status, 400);
    assert!(
        client::is_older_hub(status, &bytes),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(!client::is_older_hub(409, &bytes));
}
