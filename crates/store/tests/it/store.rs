//! The store's guarantees: migrations fingerprinted and refused when newer, damaged files
//! refused untouched, money records immutable, WAL and FULL sync.
#![allow(clippy::unwrap_used)]

use rusqlite::Connection;
use sene_store::{fingerprint, Store, StoreError, MIGRATIONS};

/// The fingerprint of every migration that has shipped. Editing an applied migration changes
/// its fingerprint and fails this test: add a new migration instead.
const SHIPPED: &[(i64, &str)] = &[
    (1, "132b1b76c9a7b9e8"),
    (2, "4799dc52731ddb81"),
    (3, "becb0bb04f6a0d38"),
    (4, "044d008e5bc7df78"),
    (5, "d794d2943de3ce5a"),
    (6, "60a518a3e9d74102"),
    (7, "f7f1d96c319c6c20"),
    (8, "aee9a3c9ca38464a"),
    (9, "8b12c424589e89ec"),
    (10, "39ed466a84b67962"),
    (11, "5d061b000ac706e1"),
    (12, "bb531c7653a9fc62"),
    (13, "1011232306ad6635"),
    (14, "81781553c3335a23"),
    (15, "b2b8568ad9201d00"),
    (16, "d05e5650a6c4f55f"),
    (17, "35f27202298c5706"),
    (18, "d387364aad143998"),
    (19, "985767334a1a615f"),
    (20, "9ea0d7832a97538e"),
    (21, "bf79107fd7fb1350"),
    (22, "a58d49d273bb2dfe"),
    (23, "d1c59d92252c042c"),
    (24, "4b361e9b63c35bb2"),
    (25, "054b2f018ec0668d"),
    (26, "89f5bb29603e5fef"),
];

#[test]
fn applied_migrations_never_change() {
    for (version, expected) in SHIPPED {
        let m = MIGRATIONS.iter().find(|m| m.version == *version).unwrap();
        assert_eq!(
            fingerprint(m.sql),
            *expected,
            "migration {version} was edited"
        );
    }
    // versions are 1, 2, 3… with no gap
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i64::try_from(i).unwrap() + 1);
    }
    // a migration added is pinned here in the same change
    for m in MIGRATIONS {
        assert!(
            SHIPPED.iter().any(|(v, _)| *v == m.version),
            "migration {} has no pin: add its fingerprint to SHIPPED",
            m.version
        );
    }
}

/// Every `.sql` file of the migrations folder is one entry of `MIGRATIONS` (its file name
/// `NNNN_name.sql`, its text), and every entry is one file: a file added but not registered
/// fails here.
#[test]
fn every_migration_file_is_registered() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    for file in &files {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let entries: Vec<_> = MIGRATIONS
            .iter()
            .filter(|m| format!("{:04}_{}.sql", m.version, m.name) == *file)
            .collect();
        assert_eq!(
            entries.len(),
            1,
            "migration file {file} is not one MIGRATIONS entry: register it in migrate.rs"
        );
        assert_eq!(
            entries[0].sql, text,
            "migration file {file} is not the text of its MIGRATIONS entry"
        );
    }
    assert_eq!(
        files.len(),
        MIGRATIONS.len(),
        "MIGRATIONS has entries without a file in {}: {files:?}",
        dir.display()
    );
}

#[test]
fn a_store_is_wal_with_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.sqlite");
    drop(Store::open(&p).unwrap());
    let conn = Connection::open(&p).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let s = Store::open(&p).unwrap();
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn a_newer_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("new.sqlite");
    drop(Store::open(&p).unwrap());
    Connection::open(&p)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let e = Store::open(&p).unwrap_err();
    assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("plus récente"));
}

#[test]
fn an_edited_migration_is_detected_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.sqlite");
    drop(Store::open(&p).unwrap());
    Connection::open(&p)
        .unwrap()
        .execute(
            "UPDATE schema_migrations SET fingerprint = 'x' WHERE version = 1",
            [],
        )
        .unwrap();
    assert!(matches!(
        Store::open(&p).unwrap_err(),
        StoreError::MigrationChanged { version: 1 }
    ));
}

#[test]
fn garbage_and_truncated_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("garbage.sqlite");
    let junk: Vec<u8> = (0..8192u32)
        .map(|i| u8::try_from(i * 7 % 251).unwrap())
        .collect();
    std::fs::write(&p, &junk).unwrap();
    let e = Store::open(&p).unwrap_err();
    assert!(matches!(e, StoreError::NotADatabase { .. }), "{e}");
    assert!(e.to_string().contains("n'a pas été modifié"));
    assert_eq!(std::fs::read(&p).unwrap(), junk);

    // a real store cut in half
    let q = dir.path().join("cut.sqlite");
    {
        let s = Store::open(&q).unwrap();
        s.checkpoint().unwrap();
    }
    let bytes = std::fs::read(&q).unwrap();
    let half = bytes.get(..bytes.len() / 2).unwrap().to_vec();
    std::fs::write(&q, &half).unwrap();
    let _ = std::fs::remove_file(dir.path().join("cut.sqlite-wal"));
    match Store::open(&q) {
        Err(e) => assert!(
            matches!(e, StoreError::NotADatabase { .. } | StoreError::Sqlite(_)),
            "{e}"
        ),
        Ok(s) => assert_ne!(s.integrity_check().unwrap(), "ok"),
    }
}

#[test]
fn money_records_and_audit_are_immutable() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("i.sqlite");
    drop(Store::open(&p).unwrap());
    let conn = Connection::open(&p).unwrap();
    conn.execute_batch(
        "INSERT INTO cooperatives VALUES ('c','DIO','D','v','c','c','r');
         INSERT INTO members (id, cooperative_id, number, full_name, folded_name, sex, village, crops, status) VALUES ('m','c','DIO-1','A','a','f','v','','active');
         INSERT INTO campaigns VALUES ('k','K','rice','0.6','none','0','2026-01-01','2026-12-31','2026-01-01','2026-12-31',140,20,5,0);
         INSERT INTO contracts (id, member_id, campaign_id, crop, committed_t, base_price, state, requested_on) VALUES ('t','m','k','paddy_rice',10000,200,'approved','2026-01-02');
         INSERT INTO agents (id, name, phone, role) VALUES ('a','A',NULL,'field_agent');
         INSERT INTO devices (id, label, receipt_prefix) VALUES ('d','D','P');
         INSERT INTO disbursements VALUES ('x','t',1000,'2026-02-01','cash','a','d','P-000001','2026-02-01T00:00:00Z');
         INSERT INTO audit (at, agent_id, device_id, action, record_kind, record_id, payload) VALUES ('t','a','d','x','x','x','{}');",
    )
    .unwrap();
    for sql in [
        "UPDATE disbursements SET amount = 999999 WHERE id = 'x'",
        "DELETE FROM disbursements WHERE id = 'x'",
        "UPDATE audit SET payload = '' ",
        "DELETE FROM audit",
    ] {
        let e = conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    let amount: i64 = conn
        .query_row("SELECT amount FROM disbursements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(amount, 1000);
}

#[test]
fn receipt_numbers_follow_the_device_sequence() {
    let mut s = Store::open_in_memory().unwrap();
    let dv = sene_domain::Device {
        id: sene_domain::DeviceId::new(),
        label: "x".into(),
        receipt_prefix: "B7".into(),
    };
    let got: Vec<String> = s
        .write(|db| -> Result<Vec<String>, StoreError> {
            db.insert_device(&dv)?;
            Ok(vec![db.next_receipt(dv.id)?, db.next_receipt(dv.id)?])
        })
        .unwrap();
    assert_eq!(got, vec!["B7-000001".to_string(), "B7-000002".to_string()]);
}

/// A member of the test cooperative `coop`.
fn member(
    coop: sene_domain::CooperativeId,
    number: &str,
    name: &str,
    village: &str,
    phone: Option<&str>,
    nina: Option<&str>,
) -> sene_domain::Member {
    sene_domain::Member {
        id: sene_domain::MemberId::new(),
        cooperative_id: coop,
        number: number.into(),
        full_name: name.into(),
        sex: sene_domain::Sex::Female,
        birth_year: None,
        village: village.into(),
        phone: phone.map(Into::into),
        nina: nina.map(Into::into),
        crops: Vec::new(),
        status: sene_domain::MemberStatus::Active,
        left_on: None,
        moved_to: None,
        moved_from: None,
        registered_on: None,
    }
}

#[test]
fn the_duplicate_candidates_are_every_member_sharing_a_key_and_no_other() {
    let mut s = Store::open_in_memory().unwrap();
    let coop = |code: &str| sene_domain::Cooperative {
        id: sene_domain::CooperativeId::new(),
        code: code.into(),
        name: code.into(),
        village: "v".into(),
        commune: "c".into(),
        cercle: "c".into(),
        region: "r".into(),
    };
    let (a, b) = (coop("DIO"), coop("KAT"));
    let members = [
        // 0, 1: the same phone in two cooperatives
        member(
            a.id,
            "DIO-1",
            "Awa Traoré",
            "Dioro",
            Some("+22370000001"),
            None,
        ),
        member(
            b.id,
            "KAT-1",
            "Fanta Keita",
            "Katiéna",
            Some("+22370000001"),
            None,
        ),
        // 2, 3: the same NINA
        member(
            a.id,
            "DIO-2",
            "Mariam Coulibaly",
            "Dioro",
            None,
            Some("N-42"),
        ),
        member(b.id, "KAT-2", "Oumou Diarra", "Katiéna", None, Some("N-42")),
        // 4, 5: the same number in one cooperative (registered twice offline)
        member(a.id, "DIO-3", "Kadi Sanogo", "Dioro", None, None),
        member(a.id, "DIO-3", "Salif Konaté", "Dioro", None, None),
        // 6, 7: the same name once folded and village in lower case
        member(a.id, "DIO-4", "TRAORE  Bintou", "SÉGOU", None, None),
        member(b.id, "KAT-3", "Traoré Bintou", "ségou", None, None),
        // 8: the same number as 4 and 5 in another cooperative; 9: like 6 in another village;
        // 10: no phone nor NINA, like 11 otherwise different; none is a candidate
        member(b.id, "DIO-3", "Adama Sidibé", "Katiéna", None, None),
        member(b.id, "KAT-4", "Traoré Bintou", "Dioro", None, None),
        member(a.id, "DIO-5", "Aminata Ba", "Dioro", None, None),
        member(
            b.id,
            "KAT-5",
            "Aminata Bah",
            "Dioro",
            Some("+22370000002"),
            Some("N-43"),
        ),
    ];
    let got = s
        .write(|db| -> Result<Vec<sene_domain::Member>, StoreError> {
            db.insert_cooperative(&a)?;
            db.insert_cooperative(&b)?;
            for m in &members {
                db.insert_member(m)?;
            }
            db.duplicate_candidates()
        })
        .unwrap();
    let mut got: Vec<_> = got.into_iter().map(|m| m.id).collect();
    got.sort();
    let mut want: Vec<_> = members[..8].iter().map(|m| m.id).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn a_watch_sees_every_row_written_until_it_ends_even_inside_a_tracked_write() {
    use sene_store::{RowAction, RowChange, Table};
    let mut s = Store::open_in_memory().unwrap();
    let coop = sene_domain::Cooperative {
        id: sene_domain::CooperativeId::new(),
        code: "DIO".into(),
        name: "Dioro".into(),
        village: "v".into(),
        commune: "c".into(),
        cercle: "c".into(),
        region: "r".into(),
    };
    s.write(|db| db.insert_cooperative(&coop)).unwrap();
    // written before the watch: not seen
    let a = member(coop.id, "DIO-1", "Awa", "Dioro", None, None);
    s.write(|db| db.insert_member(&a)).unwrap();
    s.watch_rows().unwrap();
    let b = member(coop.id, "DIO-2", "Bintou", "Dioro", None, None);
    s.write(|db| db.insert_member(&b)).unwrap();
    // a tracked write (a use case's) inside the watch: its rows are seen by both
    let mut tracked = Vec::new();
    s.write_tracked(
        |db| -> Result<(), StoreError> {
            let mut row = db.row_by_key(Table::Members, &a.id.to_string())?.unwrap();
            row.insert("village".into(), "Sansanding".into());
            db.put_row(Table::Members, &row)?;
            Ok(())
        },
        |_, t| -> Result<(), StoreError> {
            tracked = t.to_vec();
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(tracked.len(), 1);
    // and the watch goes on after it
    let c = member(coop.id, "DIO-3", "Coumba", "Dioro", None, None);
    s.write(|db| db.insert_member(&c)).unwrap();
    let seen = s.unwatch_rows().unwrap();
    // each row read back by its rowid: which member, and what was done to it
    let mut members: Vec<(RowAction, String)> = seen
        .iter()
        .filter(|r: &&RowChange| r.table == Table::Members)
        .map(|r| {
            let row = s
                .db()
                .row_by_rowid(Table::Members, r.rowid)
                .unwrap()
                .unwrap();
            (r.action, row["id"].as_str().unwrap().to_owned())
        })
        .collect();
    members.sort();
    let mut want = vec![
        (RowAction::Update, a.id.to_string()),
        (RowAction::Insert, b.id.to_string()),
        (RowAction::Insert, c.id.to_string()),
    ];
    want.sort();
    assert_eq!(members, want);
    // after the watch: nothing more is noted
    let d = member(coop.id, "DIO-4", "Djeneba", "Dioro", None, None);
    s.write(|db| db.insert_member(&d)).unwrap();
    assert!(s.unwatch_rows().unwrap().is_empty());
}
