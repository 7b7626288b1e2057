//! The command registry (`src/registry.rs`) against everything else that must agree with it.
//! `main.rs` and `build.rs` are made from it at compile time (the commands, the handler list,
//! the app manifest, the capability's grants); what is checked here:
//! - every command has its grant in `capabilities/main.json` and its permission file;
//! - the UI's command map `ui/src/lib/commands.gen.ts` is the one the registry makes
//!   (`SENE_BLESS=1 cargo test -p sene-desktop --test commands` writes it), and every request
//!   and response type has its TypeScript binding;
//! - who may call it is what the api does: a field agent is refused (`forbidden`) every
//!   `secretariat` and `approver` command and no `signed_in` one; a CTC no `approver` one.
//!
//! A command missing from the manifest or the capability answers "not allowed" in the real
//! window only, long after `cargo build` and `npm run check` passed: hence these tests, and
//! `tests/window_coverage.rs` for the real-window tests that call each command.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sene_api::*;
use sene_store::KdfParams;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

include!("../src/registry.rs");

/// A registry line.
struct Cmd {
    name: &'static str,
    /// The request type as written (`""`: none).
    request: &'static str,
    response: &'static str,
    access: &'static str,
    writes: bool,
    /// Made from a `Session` method (else written by hand in main.rs).
    generated: bool,
}

macro_rules! table {
    ($($name:ident ($($req:ty)?) -> $out:ty [$access:ident, $rw:ident] $(= $method:ident)?;)*) => {
        const COMMANDS: &[Cmd] = &[$(Cmd {
            name: stringify!($name),
            request: stringify!($($req)?),
            response: stringify!($out),
            access: stringify!($access),
            writes: matches!(stringify!($rw).as_bytes(), b"writes"),
            generated: table!(@generated $($method)?),
        }),*];

        /// Runs a generated command on the session with a request made of `known` values;
        /// `None` for a hand-written command.
        fn call(
            s: &mut Session,
            name: &str,
            known: &Map<String, Value>,
        ) -> Option<Result<Value, ApiError>> {
            $(
                if name == stringify!($name) {
                    return table!(@call s, known, ($($req)?) $(= $method)?);
                }
            )*
            None
        }
    };
    (@generated) => { false };
    (@generated $method:ident) => { true };
    (@call $s:ident, $known:ident, () = $method:ident) => {
        Some($s.$method().map(|r| serde_json::to_value(r).unwrap()))
    };
    (@call $s:ident, $known:ident, ($req:ty) = $method:ident) => {
        Some($s.$method(&sample::<$req>($known)).map(|r| serde_json::to_value(r).unwrap()))
    };
    (@call $s:ident, $known:ident, ($($req:ty)?)) => {
        None
    };
}
registry!(table);

const ACCESS: [&str; 4] = ["gate", "signed_in", "approver", "secretariat"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn names() -> BTreeSet<String> {
    COMMANDS.iter().map(|c| c.name.to_owned()).collect()
}

#[test]
fn the_registry_is_well_formed() {
    let mut seen = BTreeSet::new();
    for c in COMMANDS {
        assert!(seen.insert(c.name), "{} twice in src/registry.rs", c.name);
        assert!(
            ACCESS.contains(&c.access),
            "{}: access {}",
            c.name,
            c.access
        );
        // a hand-written command's access is not checked below: keep it to what its function
        // shows (the gate's use the state, not the session; the others the session as it is)
        assert!(
            c.generated || c.access == "gate" || c.access == "signed_in",
            "{}: a hand-written command that is {}: check its access in tests/commands.rs",
            c.name,
            c.access
        );
    }
    assert!(COMMANDS.len() > 60);
}

#[test]
fn every_command_is_granted_and_has_its_permission() {
    let caps: Value = serde_json::from_str(&read(&root().join("capabilities/main.json"))).unwrap();
    let grants: Vec<&str> = caps["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let allowed: BTreeSet<String> = grants
        .iter()
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(
        allowed,
        names(),
        "capabilities/main.json grants other commands than src/registry.rs: cargo build rewrites them"
    );
    // nothing else than listening to the app's events: no plugin, no file system, no shell
    let others: Vec<&str> = grants
        .iter()
        .copied()
        .filter(|g| !g.starts_with("allow-"))
        .collect();
    assert_eq!(
        others,
        ["core:event:allow-listen", "core:event:allow-unlisten"],
        "{grants:?}"
    );
    // the build step wrote each command's permission (committed with the app), and no other
    let dir = root().join("permissions/autogenerated");
    for c in COMMANDS {
        let toml = dir.join(format!("{}.toml", c.name));
        assert!(toml.is_file(), "{} (run cargo build)", toml.display());
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let file = e.unwrap().path();
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            names().contains(&stem),
            "{}: a permission for a command src/registry.rs does not have: delete it",
            file.display()
        );
    }
}

/// `Vec < X >` → `X[]`, `()` → `null`, `` (no request) → `void`.
fn ts_type(rust: &str) -> String {
    let t: String = rust.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        "void".into()
    } else if t == "()" {
        "null".into()
    } else if let Some(inner) = t.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        format!("{}[]", ts_type(inner))
    } else {
        t
    }
}

/// The binding names a registry type uses (`Vec<AccountView>` → `AccountView`).
fn bound(rust: &str) -> Option<String> {
    let t = ts_type(rust);
    let t = t.trim_end_matches("[]");
    (t != "void" && t != "null").then(|| t.to_owned())
}

fn list(names: impl Iterator<Item = &'static str>) -> String {
    names.map(|n| format!("  '{n}',\n")).collect()
}

/// `ui/src/lib/commands.gen.ts` as the registry makes it.
fn typescript() -> String {
    let types: BTreeSet<String> = COMMANDS
        .iter()
        .flat_map(|c| [bound(c.request), bound(c.response)])
        .flatten()
        .collect();
    let mut out = String::from(
        "// Generated from src-tauri/src/registry.rs by\n\
         // `SENE_BLESS=1 cargo test -p sene-desktop --test commands`. Do not edit.\n\n",
    );
    out.push_str("import type {\n");
    for t in &types {
        out.push_str(&format!("  {t},\n"));
    }
    out.push_str("} from '../bindings';\n\n");
    out.push_str("/** Every command of the window: its request (or `void`) and its answer. */\n");
    out.push_str("export interface Commands {\n");
    for c in COMMANDS {
        out.push_str(&format!(
            "  {}: [{}, {}];\n",
            c.name,
            ts_type(c.request),
            ts_type(c.response)
        ));
    }
    out.push_str("}\n\n");
    out.push_str(
        "/**\n * Who may call a command: `gate` with or without a session (before sign-in),\n \
         * `signed_in` any signed-in account, `approver` the CTC or the secretariat,\n \
         * `secretariat` the union's secretariat only. Rust refuses anyone else.\n */\n",
    );
    out.push_str("export type Access = 'gate' | 'signed_in' | 'approver' | 'secretariat';\n\n");
    out.push_str("export const ACCESS: { readonly [K in keyof Commands]: Access } = {\n");
    for c in COMMANDS {
        out.push_str(&format!("  {}: '{}',\n", c.name, c.access));
    }
    out.push_str("};\n\n");
    out.push_str("/** Commands that record something in the store or write a file. */\n");
    out.push_str("export const WRITES: readonly (keyof Commands)[] = [\n");
    out.push_str(&list(COMMANDS.iter().filter(|c| c.writes).map(|c| c.name)));
    out.push_str("];\n\n");
    out.push_str("/** The gate's commands: they answer whether a session is open or not. */\n");
    out.push_str("export const GATE: readonly (keyof Commands)[] = [\n");
    out.push_str(&list(
        COMMANDS
            .iter()
            .filter(|c| c.access == "gate")
            .map(|c| c.name),
    ));
    out.push_str("];\n");
    out
}

#[test]
fn the_ui_command_map_is_the_registrys() {
    let path = root().join("../ui/src/lib/commands.gen.ts");
    let fresh = typescript();
    if std::env::var_os("SENE_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == fresh,
        "{} is not what src/registry.rs makes: run \
         `SENE_BLESS=1 cargo test -p sene-desktop --test commands` and commit it",
        path.display()
    );
}

#[test]
fn every_request_and_response_has_a_typescript_binding() {
    let bindings = read(&root().join("../ui/src/bindings/index.ts"));
    let exported: BTreeSet<&str> = bindings
        .lines()
        .filter_map(|l| l.strip_prefix("export type "))
        .filter_map(|l| l.split([' ', '=', '<']).next())
        .collect();
    let missing: Vec<String> = COMMANDS
        .iter()
        .flat_map(|c| {
            [bound(c.request), bound(c.response)]
                .into_iter()
                .flatten()
                .filter(|t| !exported.contains(t.as_str()))
                .map(move |t| format!("{}: {t}", c.name))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "types with no TypeScript binding in ui/src/bindings/index.ts (derive TS in crates/api \
         and run SENE_BLESS=1 cargo test -p sene-api bindings): {missing:?}"
    );
}

// ---- who may call it: the registry against what the api refuses ----

const CHEAP: KdfParams = KdfParams {
    m_kib: 1024,
    t: 1,
    p: 1,
};
const PASS: &str = "riz de Macina 9";

/// A request of type `T` made of the `known` values for its fields, and of placeholders for
/// the others (`"1"`, then a number, a boolean, a list as the type asks).
fn sample<T: DeserializeOwned>(known: &Map<String, Value>) -> T {
    let mut req = Map::new();
    let mut last: Option<(String, usize)> = None;
    let ladder = [
        json!("1"),
        json!(5),
        json!(true),
        json!(["rice"]),
        json!(null),
    ];
    for _ in 0..100 {
        let e = match serde_json::from_value::<T>(Value::Object(req.clone())) {
            Ok(t) => return t,
            Err(e) => e.to_string(),
        };
        if let Some(field) = e
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            let v = known
                .get(field)
                .cloned()
                .unwrap_or_else(|| ladder[0].clone());
            req.insert(field.to_owned(), v);
            last = Some((field.to_owned(), 0));
        } else if let Some((field, step)) = last.as_mut() {
            *step += 1;
            let v = ladder
                .get(*step)
                .unwrap_or_else(|| panic!("no value fits {field}: {e}"));
            req.insert(field.clone(), v.clone());
        } else {
            panic!("{}: {e}", std::any::type_name::<T>());
        }
    }
    panic!("{}: no request found", std::any::type_name::<T>())
}

fn first(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .cloned()
            .or_else(|| m.values().find_map(|v| first(v, key))),
        Value::Array(a) => a.iter().find_map(|v| first(v, key)),
        _ => None,
    }
}

/// The demo union on an encrypted store, an account for each agent of `roles`; the values of
/// real records the requests are made of (so a command gets past its ids to its role check).
fn demo(dir: &Path, roles: &[&str]) -> (Gate, Map<String, Value>, BTreeMap<String, String>) {
    let gate = Gate::new(dir.join("sene.sqlite"))
        .with_kdf(CHEAP)
        // mid-January 2027, as the office's real-window test (chrono's type, from its text)
        .with_clock(serde_json::from_value(json!("2027-01-15T09:00:00Z")).unwrap());
    let (mut s, _) = gate
        .create(&CreateVaultRequest {
            label: "Bureau".into(),
            passphrase: PASS.into(),
            confirm: PASS.into(),
            lang: None,
        })
        .unwrap();
    s.load_demo(&mut |_| {}).unwrap();
    let agents = s.agents().unwrap();
    let field = agents.iter().find(|a| a.role == "field_agent").unwrap();
    let mut accounts = BTreeMap::new();
    for role in roles {
        let agent = agents.iter().find(|a| a.role == *role).unwrap();
        let added = s
            .add_account(&AddAccountRequest {
                agent_id: agent.id.clone(),
                passphrase: PASS.into(),
                confirm: PASS.into(),
            })
            .unwrap();
        let account = added
            .iter()
            .find(|a| a.agent_id.as_deref() == Some(agent.id.as_str()))
            .unwrap();
        accounts.insert((*role).to_owned(), account.id.clone());
    }
    let status = s.status().unwrap();
    let campaign = status.campaigns[0].id.clone();
    let coop = s
        .cooperatives()
        .unwrap()
        .into_iter()
        .find(|c| field.cooperatives.contains(&c.code))
        .unwrap();
    let warehouse = s
        .warehouses(&CooperativeRequest {
            cooperative_id: coop.id.clone(),
        })
        .unwrap()
        .into_iter()
        .next()
        .map(|w| w.id);
    let card = s
        .search_members(&SearchRequest {
            query: String::new(),
            cooperative_id: Some(coop.id.clone()),
        })
        .unwrap()
        .into_iter()
        .map(|m| s.member_card(&MemberRequest { member_id: m.id }).unwrap())
        .find(|c| !c.contracts.is_empty())
        .unwrap();
    let contract = &card.contracts[0];
    let lenders = serde_json::to_value(
        s.lender_positions(&DateRequest {
            date: "2027-01-15".into(),
        })
        .unwrap(),
    )
    .unwrap();
    let anomalies = serde_json::to_value(
        s.office_anomalies(&CampaignRequest {
            campaign_id: campaign.clone(),
        })
        .unwrap(),
    )
    .unwrap();
    let conflicts = serde_json::to_value(s.conflicts().unwrap()).unwrap();
    let mut known = Map::new();
    for (k, v) in [
        ("campaign_id", json!(campaign)),
        ("cooperative_id", json!(coop.id)),
        ("warehouse_id", json!(warehouse)),
        ("agent_id", json!(field.id)),
        ("member_id", json!(contract.member_id)),
        ("contract_id", json!(contract.id)),
        (
            "credit_line_id",
            first(&lenders, "credit_line_id").unwrap_or_default(),
        ),
        ("key", first(&anomalies, "key").unwrap_or_default()),
        ("conflict_id", first(&conflicts, "id").unwrap_or_default()),
        ("date", json!("2027-01-15")),
        ("passphrase", json!(PASS)),
        ("confirm", json!(PASS)),
        ("crop", json!(contract.crop)),
        ("format", json!("csv")),
        ("mode", json!("cash")),
        ("lang", json!("fr")),
        ("listen", json!("127.0.0.1:0")),
        ("receipt_prefix", json!("ZZ9")),
        ("note", json!("registre des commandes")),
        ("reason", json!("registre des commandes")),
    ] {
        known.insert(k.into(), v);
    }
    for k in [
        "amount",
        "kg",
        "committed_kg",
        "gross_kg",
        "bags",
        "principal",
        "interest",
        "per_kg",
        "price_per_kg",
        "costs",
        "cash_paid",
    ] {
        known.insert(k.into(), json!("100"));
    }
    (gate, known, accounts)
}

/// The generated commands `role` is refused (`forbidden`), and what the others answered.
fn refused_to(
    gate: &Gate,
    account: &str,
    known: &Map<String, Value>,
) -> (BTreeSet<&'static str>, BTreeMap<&'static str, String>) {
    let mut s = gate
        .sign_in(&SignInRequest {
            account: account.into(),
            passphrase: PASS.into(),
            lang: None,
        })
        .unwrap();
    let mut refused = BTreeSet::new();
    let mut answered = BTreeMap::new();
    for c in COMMANDS {
        match call(&mut s, c.name, known) {
            None => {}
            Some(Err(e)) if e.code == ErrorCode::Forbidden => {
                refused.insert(c.name);
            }
            Some(Err(e)) => {
                answered.insert(c.name, format!("{:?}: {}", e.code, e.message));
            }
            Some(Ok(_)) => {
                answered.insert(c.name, "ok".into());
            }
        }
    }
    (refused, answered)
}

#[test]
fn each_command_refuses_whom_the_registry_says() {
    let dir = tempfile::tempdir().unwrap();
    let (gate, known, accounts) = demo(dir.path(), &["field_agent", "ctc"]);
    for (role, may) in [
        ("field_agent", &["signed_in"][..]),
        ("ctc", &["signed_in", "approver"][..]),
    ] {
        let (refused, answered) = refused_to(&gate, &accounts[role], &known);
        let mut wrong = Vec::new();
        for c in COMMANDS.iter().filter(|c| c.generated) {
            let allowed = may.contains(&c.access);
            // resolve_conflict is any signed-in account's, but the api refuses a money conflict
            // and the merge of a member registered twice (the demo's conflict) to all but the
            // secretariat: the conflict says, not the command
            if allowed && refused.contains(c.name) && c.name != "resolve_conflict" {
                wrong.push(format!(
                    "{}: {} in the registry, but a {role} is refused it",
                    c.name, c.access
                ));
            }
            if !allowed && !refused.contains(c.name) {
                wrong.push(format!(
                    "{}: {} in the registry, but a {role} was not refused it: {}",
                    c.name,
                    c.access,
                    answered.get(c.name).map_or("?", String::as_str)
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "src/registry.rs and the api disagree on who may call:\n{}",
            wrong.join("\n")
        );
    }
}
