//! Replays the fuzz corpus: every file under `tests/corpus/<target>/` goes through the same code
//! path as the fuzz target of that name (`fuzz/src/lib.rs`, compiled in here), and none may
//! panic; errors are expected. A crasher the fuzzer saves into a corpus folder therefore fails
//! `cargo test` until it is fixed, or until it is listed in [`KNOWN`] (reported, fix pending).
//! Real inputs are also made fresh on every run, and must be accepted.
//!
//! The seed files are written by `write_seeds` (ignored):
//! `cargo test -p sene-sync --test corpus -- --ignored write_seeds`. See `fuzz/README.md`.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use automerge::AutoCommit;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use sene_store::Store;
use sene_sync::bundle::{Bundle, Header};
use sene_sync::wire::{Envelope, MAX_INFLATED};
use sene_sync::{DocId, Engine, SyncError};

#[path = "../../../fuzz/src/lib.rs"]
mod paths;

type R<T> = Result<T, SyncError>;

const TARGETS: [&str; 4] = ["envelope", "bundle", "sync_message", "changes"];

/// Crashers found and reported but not fixed yet (the fix is outside the decoding files):
/// the replay tests skip them, `known_crashers` runs them and fails once one replays cleanly
/// or is missing from the corpus: delete its line then.
const KNOWN: &[&str] = &[];

fn known(target: &str, name: &str) -> bool {
    KNOWN.contains(&format!("{target}/{name}").as_str())
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(target)
}

fn run(target: &str, data: &[u8]) {
    match target {
        "envelope" => paths::envelope(data),
        "bundle" => paths::bundle(data),
        "sync_message" | "changes" => {
            let mut stores = match paths::Stores::new() {
                Ok(s) => s,
                Err(e) => panic!("fuzz stores: {e}"),
            };
            if target == "changes" {
                paths::changes(&mut stores, data);
            } else {
                paths::sync_message(&mut stores, data);
            }
        }
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Real inputs, one list per target: what a device really sends.
struct Real {
    envelope: Vec<u8>,
    bundle: Vec<u8>,
    sync_message: Vec<u8>,
    /// A sync message from an empty document (a request, no changes).
    sync_request: Vec<u8>,
    changes: Vec<u8>,
    /// The whole document, saved.
    document: Vec<u8>,
    /// The second change alone (its dependency missing).
    last_change: Vec<u8>,
}

fn real() -> R<Real> {
    // another device than the fuzz stores', with other records
    let (mut store, mut engine) = paths::union_store(
        sene_domain::DeviceId::new(),
        0x0190_0000_0000_7000_9000_0000_0000_0000,
    )?;
    let sync_message = store
        .write(|db| engine.generate(db, "hub", &DocId::Union))?
        .ok_or_else(|| SyncError::Malformed("no message".into()))?;
    let docs = store.write(|db| engine.export_changes(db, "hub", &[DocId::Union]))?;
    let changes = docs
        .items
        .first()
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let (document, last_change) = store.write(|db| {
        let doc = engine.doc(db, &DocId::Union)?;
        let first = doc.get_changes(&[]).first().map(automerge::Change::hash);
        let last = first.map(|h| doc.save_after(&[h])).unwrap_or_default();
        Ok::<_, SyncError>((doc.save(), last))
    })?;
    let mut empty_store = Store::open_in_memory()?;
    let mut empty_engine = Engine::new(sene_domain::DeviceId::new());
    let sync_request = empty_store
        .write(|db| {
            db.ensure_doc("union")?;
            empty_engine.generate(db, "hub", &DocId::Union)
        })?
        .unwrap_or_default();
    let envelope = Envelope {
        items: vec![
            ("union".into(), sync_message.clone()),
            (
                format!("registry/{}", sene_domain::CooperativeId::new()),
                sync_request.clone(),
            ),
        ],
    }
    .encode()?;
    let bundle = Bundle {
        header: Header {
            version: 1,
            from_device: paths::device().to_string(),
            to: "hub".into(),
            created_at: paths::NOW.into(),
        },
        docs,
    }
    .encode(paths::BUNDLE_KEY)?;
    Ok(Real {
        envelope,
        bundle,
        sync_message,
        sync_request,
        changes,
        document,
        last_change,
    })
}

fn deflate(raw: &[u8]) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(b"SENE\x01".to_vec(), Compression::best());
    let _ = enc.write_all(raw);
    enc.finish().unwrap_or_default()
}

/// `SENE\x01` and a deflate stream of `n` zero bytes, written without holding them.
fn zero_bomb(n: u64, level: Compression) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(b"SENE\x01".to_vec(), level);
    let block = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = usize::try_from(left.min(1 << 20)).unwrap_or(1 << 20);
        let _ = enc.write_all(block.get(..k).unwrap_or_default());
        left -= k as u64;
    }
    enc.finish().unwrap_or_default()
}

fn uleb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = u8::try_from(n & 0x7f).unwrap_or_default();
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// An automerge chunk of type 2 (a compressed change) whose data inflates to `n` zero bytes:
/// automerge inflates it whole, with no limit, before it checks anything.
fn compressed_chunk(n: u64) -> Vec<u8> {
    let zeros = zero_bomb(n, Compression::best());
    let data = zeros.get(5..).unwrap_or_default();
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 2];
    uleb(&mut chunk, data.len() as u64);
    chunk.extend_from_slice(data);
    chunk
}

fn cut(b: &[u8], n: usize) -> Vec<u8> {
    b.get(..b.len().saturating_sub(n))
        .unwrap_or_default()
        .to_vec()
}

fn flip(b: &[u8], at: usize) -> Vec<u8> {
    let mut x = b.to_vec();
    let at = at.min(x.len().saturating_sub(1));
    if let Some(v) = x.get_mut(at) {
        *v ^= 0x5a;
    }
    x
}

fn le32(n: u32) -> [u8; 4] {
    n.to_le_bytes()
}

/// The seed files: real inputs, and malformed ones made by hand.
fn seeds(r: &Real) -> Vec<(&'static str, String, Vec<u8>)> {
    let mut s: Vec<(&'static str, String, Vec<u8>)> = Vec::new();
    let mut add = |t: &'static str, name: &str, b: Vec<u8>| s.push((t, name.to_owned(), b));

    // envelope
    add("envelope", "real-exchange", r.envelope.clone());
    add(
        "envelope",
        "real-empty",
        Envelope::default().encode().unwrap_or_default(),
    );
    add("envelope", "bad-empty-file", Vec::new());
    add("envelope", "bad-magic", flip(&r.envelope, 4));
    add("envelope", "bad-magic-only", b"SENE\x01".to_vec());
    add("envelope", "bad-truncated", cut(&r.envelope, 7));
    add("envelope", "bad-flipped-deflate", flip(&r.envelope, 12));
    add("envelope", "bad-count-u32-max", deflate(&le32(u32::MAX)));
    add(
        "envelope",
        "bad-count-at-limit-no-items",
        deflate(&le32(100_000)),
    );
    let mut huge_id = le32(1).to_vec();
    huge_id.extend_from_slice(&u16::MAX.to_le_bytes());
    huge_id.extend_from_slice(b"uni");
    add("envelope", "bad-id-length-65535", deflate(&huge_id));
    let mut huge_msg = le32(1).to_vec();
    huge_msg.extend_from_slice(&5u16.to_le_bytes());
    huge_msg.extend_from_slice(b"union");
    huge_msg.extend_from_slice(&le32(u32::MAX));
    huge_msg.extend_from_slice(&[0x42, 0, 0, 0]);
    add("envelope", "bad-message-length-u32-max", deflate(&huge_msg));
    let mut not_utf8 = le32(1).to_vec();
    not_utf8.extend_from_slice(&2u16.to_le_bytes());
    not_utf8.extend_from_slice(&[0xff, 0xfe]);
    not_utf8.extend_from_slice(&le32(0));
    add("envelope", "bad-id-not-utf8", deflate(&not_utf8));
    let mut trailing = le32(0).to_vec();
    trailing.extend_from_slice(b"extra");
    add("envelope", "bad-trailing-bytes", deflate(&trailing));
    add(
        "envelope",
        "bomb-1k-deflate",
        zero_bomb(1 << 20, Compression::best()),
    );

    // bundle
    add("bundle", "real-signed", r.bundle.clone());
    add("bundle", "real-unsigned", cut(&r.bundle, 32));
    add("bundle", "bad-empty-file", Vec::new());
    add("bundle", "bad-magic-only", b"SENEUSB1".to_vec());
    add("bundle", "bad-magic", flip(&r.bundle, 3));
    add(
        "bundle",
        "bad-truncated-header",
        cut(&r.bundle, r.bundle.len() / 2),
    );
    add("bundle", "bad-tag-flipped", flip(&r.bundle, r.bundle.len()));
    for (name, len) in [
        ("bad-header-length-u32-max", u32::MAX),
        ("bad-header-length-64k-plus-1", 64 * 1024 + 1),
        ("bad-header-length-past-end", 200),
        ("bad-header-length-zero", 0),
    ] {
        let mut b = b"SENEUSB1".to_vec();
        b.extend_from_slice(&le32(len));
        b.extend_from_slice(br#"{"version":1,"from_device":"d","to":"hub","created_at":"x"}"#);
        add("bundle", name, b);
    }
    // a header that reaches into the 32 bytes of the signature
    let mut into_tag = b"SENEUSB1".to_vec();
    let header = br#"{"version":1,"from_device":"d","to":"hub","created_at":"x"}"#;
    into_tag.extend_from_slice(&le32(u32::try_from(header.len()).unwrap_or_default()));
    into_tag.extend_from_slice(header);
    add(
        "bundle",
        "bad-header-overlaps-signature",
        paths::sign(&cut(&into_tag, 10)),
    );

    // sync_message
    add("sync_message", "real-with-changes", r.sync_message.clone());
    add("sync_message", "real-request", r.sync_request.clone());
    add("sync_message", "bad-empty-file", Vec::new());
    add("sync_message", "bad-version-only", vec![0x42]);
    add("sync_message", "bad-truncated", cut(&r.sync_message, 9));
    add(
        "sync_message",
        "bad-flipped-change",
        flip(&r.sync_message, r.sync_message.len() / 2),
    );
    // heads, then need, declaring 2^62 hashes
    let mut huge = vec![0x42];
    huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
    add("sync_message", "bad-heads-count-2e62", huge);
    let mut huge_changes = vec![0x42, 0, 0, 0];
    huge_changes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    huge_changes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f, 0x85, 0x6f]);
    add(
        "sync_message",
        "bad-changes-count-and-length-4g",
        huge_changes,
    );
    // a V1 message carrying one compressed change chunk that inflates to 32 MiB
    let bomb = compressed_chunk(32 << 20);
    let mut carrying = vec![0x42, 0, 0, 0, 1];
    uleb(&mut carrying, bomb.len() as u64);
    carrying.extend_from_slice(&bomb);
    add("sync_message", "bomb-compressed-change-32mib", carrying);
    // one `have` with no last sync and a bloom filter of one entry but zero bits per entry:
    // answering it divides by the filter's size in bits
    add(
        "sync_message",
        "crash-bloom-zero-bits",
        vec![0x42, 0, 0, 1, 0, 3, 0x01, 0x00, 0x07, 0],
    );
    // the same with 2^28 probes per hash: answering it allocates 1 GiB per change (and the
    // count is a u32: 2^32 - 1 probes ask for 16 GiB)
    add(
        "sync_message",
        "crash-bloom-2e28-probes",
        vec![
            0x42, 0, 0, 1, 0, 8, 0x01, 0x08, 0x80, 0x80, 0x80, 0x80, 0x01, 0xff, 0,
        ],
    );

    // changes
    add("changes", "real-changes", r.changes.clone());
    add("changes", "real-document", r.document.clone());
    add("changes", "real-last-change-alone", r.last_change.clone());
    add("changes", "bad-empty-file", Vec::new());
    add("changes", "bad-truncated", cut(&r.changes, 5));
    add("changes", "bad-magic", flip(&r.changes, 0));
    add("changes", "bad-checksum", flip(&r.changes, 5));
    add(
        "changes",
        "bad-flipped-body",
        flip(&r.changes, r.changes.len() / 2),
    );
    add(
        "changes",
        "bomb-compressed-change-32mib",
        compressed_chunk(32 << 20),
    );
    // magic, checksum, chunk type 1, a length of 2^63
    let mut huge_chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1];
    huge_chunk.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    add("changes", "bad-chunk-length-2e63", huge_chunk);
    s
}

#[test]
fn every_corpus_file_replays_without_panic() {
    let mut failures = Vec::new();
    let mut total = 0;
    for target in TARGETS {
        let dir = corpus_dir(target);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => panic!("{}: {e}", dir.display()),
        };
        files.retain(|p| p.is_file());
        files.sort();
        assert!(!files.is_empty(), "{} is empty", dir.display());
        for file in files {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if known(target, name) {
                continue;
            }
            let Ok(data) = std::fs::read(&file) else {
                panic!("{}: unreadable", file.display());
            };
            total += 1;
            if catch_unwind(AssertUnwindSafe(|| run(target, &data))).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} corpus files panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn real_inputs_are_accepted_and_replay() -> R<()> {
    let r = real()?;

    let env = Envelope::decode(&r.envelope)?;
    assert_eq!(env.items.len(), 2);
    let b = Bundle::decode(&r.bundle, paths::BUNDLE_KEY)?;
    assert_eq!(b.docs.items.len(), 1);

    // the sync message and the changes merge the four records into a fresh store
    for (what, bytes) in [("sync", &r.sync_message), ("changes", &r.changes)] {
        let mut store = Store::open_in_memory()?;
        let mut engine = Engine::new(paths::device());
        let out = store.write(|db| {
            if what == "sync" {
                engine.receive(
                    db,
                    "peer",
                    &DocId::Union,
                    bytes,
                    &|_, _, _, _| Ok(()),
                    paths::NOW,
                )
            } else {
                engine.import_changes(db, &DocId::Union, bytes, &|_, _, _, _| Ok(()), paths::NOW)
            }
        })?;
        assert_eq!(out.records, 4, "{what}");
        assert!(out.changed, "{what}");
    }
    assert!(AutoCommit::load(&r.document).is_ok());

    for s in seeds(&r) {
        let (target, name, data) = s;
        if known(target, &name) {
            continue;
        }
        let ok = catch_unwind(AssertUnwindSafe(|| run(target, &data))).is_ok();
        assert!(ok, "{target}/{name} panicked");
    }
    Ok(())
}

/// A deflate bomb just over the cap is refused: the decoder stops reading at the cap.
#[test]
fn envelope_inflation_is_capped() {
    let bomb = zero_bomb(MAX_INFLATED + (1 << 20), Compression::best());
    assert!(bomb.len() < 300 << 10, "bomb of {} bytes", bomb.len());
    assert!(matches!(
        Envelope::decode(&bomb),
        Err(SyncError::Malformed(m)) if m.contains("volumineux")
    ));
    // a 1 KiB body cannot come near it: deflate inflates at most ~1032 to 1
    let small = zero_bomb(1 << 20, Compression::best());
    assert!(small.len() <= 1100, "{} bytes", small.len());
}

/// What is wrong with a list of known crashers (`target/name`): each entry that is malformed,
/// whose input `input` cannot give, or whose input no longer panics under `run` (fixed: delete
/// its line). Empty when every listed input is there and still panics, or when none is listed.
fn stale_crashers(
    known: &[&str],
    input: impl Fn(&str, &str) -> Option<Vec<u8>>,
    run: impl Fn(&str, &[u8]),
) -> Vec<String> {
    let mut stale = Vec::new();
    for k in known {
        let Some((target, name)) = k.split_once('/') else {
            stale.push(format!("{k}: not target/name"));
            continue;
        };
        let Some(data) = input(target, name) else {
            stale.push(format!("{k}: missing from the corpus"));
            continue;
        };
        let started = std::time::Instant::now();
        let ok = catch_unwind(AssertUnwindSafe(|| run(target, &data))).is_ok();
        eprintln!(
            "{k}: {} in {:?}",
            if ok { "no panic" } else { "PANIC" },
            started.elapsed()
        );
        if ok {
            stale.push(format!("{k}: no longer panics, delete it from KNOWN"));
        }
    }
    stale
}

/// The known crashers still crash: one that replays cleanly, or that is missing from the
/// corpus, fails here until its line is deleted from [`KNOWN`]. See one's stack with
/// `cargo test -p sene-sync --test corpus known_crashers -- --nocapture`.
#[test]
fn known_crashers() {
    let stale = stale_crashers(
        KNOWN,
        |target, name| std::fs::read(corpus_dir(target).join(name)).ok(),
        run,
    );
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// The check itself, on inputs made up here: a listed input that panics passes; one that no
/// longer panics, a missing one and a malformed entry are each reported; no list passes.
#[test]
fn known_crashers_fails_on_a_fixed_or_missing_input() {
    let input = |target: &str, name: &str| match (target, name) {
        ("t", "boom") => Some(b"boom".to_vec()),
        ("t", "calm") => Some(b"calm".to_vec()),
        _ => None,
    };
    let run = |_: &str, data: &[u8]| assert!(data != b"boom", "synthetic crasher");
    assert!(stale_crashers(&[], input, run).is_empty());
    assert!(stale_crashers(&["t/boom"], input, run).is_empty());
    let stale = stale_crashers(&["t/boom", "t/calm", "t/gone", "boom"], input, run);
    assert_eq!(
        stale,
        [
            "t/calm: no longer panics, delete it from KNOWN",
            "t/gone: missing from the corpus",
            "boom: not target/name",
        ]
    );
}

/// Every known crasher is in the corpus.
#[test]
fn known_crashers_are_in_the_corpus() {
    for k in KNOWN {
        let Some((target, name)) = k.split_once('/') else {
            panic!("{k}: not target/name");
        };
        assert!(corpus_dir(target).join(name).is_file(), "{k} missing");
    }
}

/// Writes the seed files into `tests/corpus/<target>/`.
#[test]
#[ignore = "writes the seed corpus; run on purpose"]
fn write_seeds() -> R<()> {
    let r = real()?;
    for (target, name, data) in seeds(&r) {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).map_err(|e| SyncError::Malformed(e.to_string()))?;
        std::fs::write(dir.join(name), data).map_err(|e| SyncError::Malformed(e.to_string()))?;
    }
    Ok(())
}
