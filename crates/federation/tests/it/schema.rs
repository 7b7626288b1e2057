//! The schema: migrations, partitions, a union's list entry.

use sene_domain::{AgentId, DeviceId};
use sene_federation::cluster::TempCluster;
use sene_federation::{pg, Credentials, Federation, FederationError};

use crate::rt;

#[test]
fn migrations_apply_once_and_a_newer_schema_is_refused() {
    let pgc = TempCluster::start().unwrap();
    rt().block_on(async {
        let url = pgc.create_db("fed").await.unwrap();
        let mut c = pg::connect(&url).await.unwrap();
        assert_eq!(pg::migrate(&mut c).await.unwrap(), (0, pg::schema_version()));
        // again: nothing to do
        assert_eq!(
            pg::migrate(&mut c).await.unwrap(),
            (pg::schema_version(), pg::schema_version())
        );
        let n: i64 = c
            .query_one("SELECT count(*) FROM schema_version", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, i64::from(pg::schema_version()));
        // every projected table is partitioned by union
        let parted: Vec<String> = c
            .query(
                "SELECT c.relname::text FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(parted.len(), 12, "{parted:?}");
        c.execute("INSERT INTO schema_version (version) VALUES (999)", &[])
            .await
            .unwrap();
        let e = pg::migrate(&mut c).await.unwrap_err();
        assert!(matches!(e, FederationError::SchemaTooNew { found: 999, .. }), "{e}");
        assert!(e.message(sene_domain::Lang::En).contains("newer"));
    });
}

/// A shipped migration's text never changes (a database that applied it would not hold what
/// the text says): append a new one instead. The SHA-256 of each, pinned.
const PINNED: &[&str] = &[
    "cd260febf7183028bda1fd26124e441dde4bb76173f3275ac827b88a373a391e",
    "8d1b465ef98936e482dfd790cd681df92ecf604821760dba06898affa0972d9e",
    "41b532a168642d3a799c33fa999dc420815e47c32744d8db287e8ac329b457c4",
    "01afa24d013b580865f5a3987600477791d8bda40a9e9ecd4e248551f9f1d924",
];

#[test]
fn the_shipped_migrations_are_not_edited() {
    use sha2::{Digest, Sha256};
    for (i, (v, sql)) in pg::MIGRATIONS.iter().enumerate() {
        assert_eq!(*v, i32::try_from(i).unwrap() + 1, "numbered from 1, no gap");
        let hex: String = Sha256::digest(sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            Some(&hex.as_str()),
            PINNED.get(i),
            "migration {v} was edited, or is new: pin it"
        );
    }
}

#[test]
fn a_union_gets_a_partition_of_every_table_and_a_name_once() {
    let pgc = TempCluster::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    rt().block_on(async {
        let url = pgc.create_db("fed").await.unwrap();
        let fed = Federation::open(&url, data.path()).await.unwrap();
        let creds = Credentials {
            device: DeviceId::new(),
            agent: AgentId::new(),
            token: "t".into(),
            bundle_key: None,
            ca_pem: None,
        };
        let id = fed.add_union("Faso Jigi", Some("http://127.0.0.1:9"), creds.clone()).await.unwrap();
        let e = fed.add_union("Faso Jigi", None, creds.clone()).await.unwrap_err();
        assert!(matches!(e, FederationError::UnionExists(_)), "{e}");
        let c = fed.client().await.unwrap();
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname::text LIKE '%' || $1",
                &[&id.as_uuid().simple().to_string()],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 12);
        // a hub that does not answer: the error is recorded with its time, nothing else moves
        let e = fed.pull("Faso Jigi", false).await.unwrap_err();
        assert_eq!(e.code(), "network", "{e}");
        let st = fed.status().await.unwrap();
        assert_eq!(st.len(), 1);
        assert!(st[0].failing && st[0].last_error_at.is_some() && st[0].last_ok_at.is_none(), "{st:?}");
        assert!(fed.replica_path(id).exists());
    });
}
