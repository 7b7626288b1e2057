//! The code paths the fuzz targets drive, one function per target.
//!
//! This file is also compiled into `crates/sync/tests/corpus.rs` (with `#[path]`), which replays
//! every saved input through these same functions in a normal `cargo test`: a crasher found by
//! the fuzzer fails the test suite until it is fixed. So it must build in both places: only
//! dependencies of `sene-sync` (`sene_sync`, `sene_store`, `sene_domain`, `automerge`, `hmac`,
//! `sha2`, `serde_json`, `uuid`), no crate-level attributes, no `unwrap`.
//!
//! Every function takes untrusted bytes and may return errors; it must never panic, hang or
//! allocate without bound.

use automerge::AutoCommit;
use hmac::{Hmac, KeyInit, Mac};
use sene_domain::DeviceId;
use sene_store::Store;
use sene_sync::bundle::Bundle;
use sene_sync::wire::Envelope;
use sene_sync::{DocId, Engine, SyncError};
use sha2::Sha256;

/// The key the `bundle` target signs with.
pub const BUNDLE_KEY: &[u8] = b"sene-fuzz-bundle-key";
/// The clock of every merge.
pub const NOW: &str = "2026-01-01T00:00:00Z";
/// The peer every sync message comes from.
pub const PEER: &str = "peer";

/// A fixed device, so that a replayed input does exactly what it did under the fuzzer.
#[must_use]
pub fn device() -> DeviceId {
    DeviceId::from_uuid(uuid::Uuid::from_u128(
        0x0190_0000_0000_7000_8000_0000_0000_f022,
    ))
}

/// `Envelope::decode` (the body of `POST /v1/sync`, and the inside of a USB file). What decodes
/// must encode again and decode to the same envelope.
pub fn envelope(data: &[u8]) {
    if let Ok(env) = Envelope::decode(data) {
        let again = env.encode().and_then(|b| Envelope::decode(&b));
        assert_eq!(again.ok().as_ref(), Some(&env), "envelope round trip");
    }
}

/// Appends the HMAC-SHA256 of `signed` under [`BUNDLE_KEY`], as `Bundle::encode` does.
#[must_use]
pub fn sign(signed: &[u8]) -> Vec<u8> {
    let mut out = signed.to_vec();
    if let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(BUNDLE_KEY) {
        m.update(signed);
        out.extend_from_slice(&m.finalize().into_bytes());
    }
    out
}

/// `Bundle::peek` and `Bundle::decode` (a file from a USB stick) on the bytes as given, which
/// almost never authenticate, then once more with a valid signature appended, so that the
/// fuzzer also reaches everything read after the HMAC check.
pub fn bundle(data: &[u8]) {
    let _ = Bundle::peek(data);
    let _ = Bundle::decode(data, BUNDLE_KEY);
    let signed = sign(data);
    if let Ok(b) = Bundle::decode(&signed, BUNDLE_KEY) {
        for (id, _) in &b.docs.items {
            let _ = id.parse::<DocId>();
        }
    }
}

/// The stores the `sync_message` and `changes` targets apply their input to: an empty one, and
/// one whose union document already holds records (so that the answer to a message really
/// walks the peer's bloom filters and the merge meets existing records).
pub struct Stores {
    pub empty: Store,
    pub seeded: Store,
}

impl Stores {
    /// # Errors
    /// Store and automerge errors.
    pub fn new() -> Result<Stores, SyncError> {
        Ok(Stores {
            empty: Store::open_in_memory()?,
            seeded: union_store(device(), 0x0190_0000_0000_7000_8000_0000_0000_0000)?.0,
        })
    }
}

fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// A store written by `device` through the write path, whose union document holds a union and
/// three cooperatives (ids from `ids`), in two changes: the second renames a cooperative.
///
/// # Errors
/// Store and automerge errors.
pub fn union_store(device: DeviceId, ids: u128) -> Result<(Store, Engine), SyncError> {
    use sene_store::Table;
    use serde_json::json;
    let mut store = Store::open_in_memory()?;
    let mut engine = Engine::new(device);
    let id = |n: u128| uuid::Uuid::from_u128(ids + n).to_string();
    let coop = |n: u128, name: &str| {
        object(
            json!({ "id": id(n), "code": format!("KTL-{n:02}"), "name": name,
            "village": "Zanfigué", "commune": "Koutiala", "cercle": "Koutiala",
            "region": "Sikasso" }),
        )
    };
    store.write_tracked(
        |db| {
            db.put_row(
                Table::Unions,
                &object(
                    json!({ "id": id(0), "name": "Union des coopératives de Koutiala",
                    "region": "Sikasso" }),
                ),
            )?;
            for n in 1..=3 {
                db.put_row(Table::Cooperatives, &coop(n, &format!("Coopérative {n}")))?;
            }
            Ok::<_, SyncError>(())
        },
        |db, touched| {
            engine
                .record(db, touched, "création", 1_767_225_600_000)
                .map(drop)
        },
    )?;
    store.write_tracked(
        |db| {
            db.put_row(Table::Cooperatives, &coop(1, "Coopérative Benkadi"))?;
            Ok::<_, SyncError>(())
        },
        |db, touched| {
            engine
                .record(db, touched, "renommage", 1_767_225_660_000)
                .map(drop)
        },
    )?;
    Ok((store, engine))
}

/// Runs `f` in a write transaction that is always rolled back, so one store serves every input
/// and each input sees it as it was.
fn rolled_back(store: &mut Store, f: impl FnOnce(&sene_store::Db<'_>)) {
    let _ = store.write(|db| {
        f(db);
        Err::<(), SyncError>(SyncError::Malformed("rollback".into()))
    });
}

/// An automerge sync message from a peer about the union document, as the hub receives one:
/// `Engine::receive` (decode, apply to a fork, validate, merge, conflicts), then the answer
/// `Engine::generate` builds from the state the message left; into each store.
pub fn sync_message(stores: &mut Stores, data: &[u8]) {
    for store in [&mut stores.empty, &mut stores.seeded] {
        let mut engine = Engine::new(device());
        rolled_back(store, |db| {
            let _ = engine.receive(db, PEER, &DocId::Union, data, &|_, _, _, _| Ok(()), NOW);
            let _ = engine.generate(db, PEER, &DocId::Union);
        });
    }
}

/// Raw automerge changes or a saved document (a USB file's payload): `AutoCommit::load`, then
/// `Engine::import_changes` (`load_incremental` on a fork, validate, merge) into each store.
pub fn changes(stores: &mut Stores, data: &[u8]) {
    let _ = AutoCommit::load(data);
    for store in [&mut stores.empty, &mut stores.seeded] {
        let mut engine = Engine::new(device());
        rolled_back(store, |db| {
            let _ = engine.import_changes(db, &DocId::Union, data, &|_, _, _, _| Ok(()), NOW);
        });
    }
}
