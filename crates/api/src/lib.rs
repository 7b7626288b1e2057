//! # sene-api
//!
//! The contract between the desktop window and the Rust side: every request and response type
//! the UI sends or receives, the [`ErrorCode`] it may match on, and [`Session`], which serves each
//! command by calling `sene-app` (no business rule lives here: parsing, mapping, formatting).
//!
//! The TypeScript declarations in `ui/src/bindings/index.ts` are generated from these types
//! ([`bindings`]); a test fails when the committed file drifts from the Rust types.
//!
//! Wire conventions: money is a string of whole francs (`"200000"`), weights and percents are
//! strings of decimals (`"1234.5"`), dates are `YYYY-MM-DD`, ids are UUID strings.

mod drives;
mod dto;
mod error;
mod finance;
mod hub;
mod office;
mod registry;
mod scale;
mod session;
mod signin;

pub use dto::*;
pub use error::{ApiError, ErrorCode};
pub use session::{Session, SyncProgress, BACKUP_MAX_AGE_HOURS};
pub use signin::Gate;

/// The TypeScript declarations of every type of the contract, in one module.
#[must_use]
pub fn bindings() -> String {
    dto::bindings()
}

/// « À propos »: Sene's version, the store schema this build writes (the last migration of
/// `sene-store`) and `commit`, the one the window's binary was built from (empty: unknown).
#[must_use]
pub fn about(commit: &str) -> AboutView {
    let commit = commit.trim();
    AboutView {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: sene_store::MIGRATIONS
            .last()
            .map_or(0, |m| u32::try_from(m.version).unwrap_or(0)),
        commit: (!commit.is_empty()).then(|| commit.to_owned()),
    }
}

/// The bounds the window checks as the person types, from the Rust constants the ledger
/// checks them by (`ui/src/bindings/limits.ts`, generated like the bindings).
#[must_use]
pub fn limits_ts() -> String {
    use sene_domain::validate::limits as l;
    let rows: [(&str, String); 14] = [
        ("TEXT_MAX", l::TEXT_MAX.to_string()),
        ("NOTE_MAX", l::NOTE_MAX.to_string()),
        ("MEMBER_MONEY_MAX", l::MEMBER_MONEY_MAX.to_string()),
        ("UNION_MONEY_MAX", l::UNION_MONEY_MAX.to_string()),
        ("PRICE_PER_KG_MAX", l::PRICE_PER_KG_MAX.to_string()),
        ("PRICE_PER_BAG_MAX", l::PRICE_PER_BAG_MAX.to_string()),
        ("COMMITTED_KG_MAX", l::COMMITTED_KG_MAX.to_string()),
        ("DELIVERY_KG_MAX", l::DELIVERY_KG_MAX.to_string()),
        ("BAGS_MAX", l::BAGS_MAX.to_string()),
        ("LOT_KG_MAX", l::LOT_KG_MAX.to_string()),
        ("MEMBER_NUMBER_MAX", l::MEMBER_NUMBER_MAX.to_string()),
        (
            "RECEIPT_PREFIX_MAX",
            sene_domain::receipt::PREFIX_MAX.to_string(),
        ),
        ("IDLE_LOCK_MAX", session::IDLE_LOCK_MAX.to_string()),
        ("IDLE_LOCK_DEFAULT", session::IDLE_LOCK_DEFAULT.to_string()),
    ];
    let mut out = String::from(
        "// Generated from the Rust constants (sene_domain::validate::limits, the receipt prefix,\n// the idle lock) by `SENE_BLESS=1 cargo test -p sene-api bindings`. Do not edit.\n\nexport const RUST_LIMITS = {\n",
    );
    for (name, v) in rows {
        out.push_str(&format!("  {name}: {v},\n"));
    }
    out.push_str("} as const;\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed limits are the Rust constants. Regenerate with
    /// `SENE_BLESS=1 cargo test -p sene-api bindings`.
    #[test]
    fn bindings_limits_match_the_committed_file() {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings/limits.ts");
        let fresh = super::limits_ts();
        if std::env::var_os("SENE_BLESS").is_some() {
            std::fs::write(&path, &fresh).expect("write limits");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings/limits.ts differs from the Rust constants: regenerate it with `SENE_BLESS=1 cargo test -p sene-api bindings` and commit it"
        );
    }

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings/index.ts")
    }

    /// The committed TypeScript bindings are exactly what the Rust types generate. Regenerate
    /// with `SENE_BLESS=1 cargo test -p sene-api bindings`.
    #[test]
    fn bindings_match_the_committed_file() {
        let fresh = super::bindings();
        let path = committed_path();
        if std::env::var_os("SENE_BLESS").is_some() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("bindings folder");
            }
            std::fs::write(&path, &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings/index.ts differs from the Rust types of crates/api: regenerate it with `SENE_BLESS=1 cargo test -p sene-api bindings` and commit it"
        );
    }

    #[test]
    fn bindings_declare_every_command_type_once() {
        let b = super::bindings();
        for name in [
            "ErrorCode",
            "ApiError",
            "AppStatus",
            "MemberCard",
            "ReceiptView",
            "DeliveryPreviewView",
            "SyncStatus",
        ] {
            assert_eq!(
                b.matches(&format!("export type {name} =")).count(),
                1,
                "{name} in\n{b}"
            );
        }
        // money crosses as strings, never as JS numbers
        assert!(b.contains("advance_due: string"), "{b}");
        assert!(!b.contains("bigint"), "{b}");
    }
}
