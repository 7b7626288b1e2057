//! The `sene` binary, run for real in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
    store: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("sene.sqlite");
        Env { dir, store }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run_with(&self, store: &Path, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_sene"))
            .arg("--store")
            .arg(store)
            .args(args)
            .env_remove("SENE_STORE")
            .env_remove("SENE_LANG")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&self.store, args)
    }

    /// Runs, expects success, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let (out, err) = texts(&o);
        assert!(
            o.status.success(),
            "sene {args:?} failed ({:?})\nstdout: {out}\nstderr: {err}",
            o.status.code()
        );
        assert!(!err.contains("panicked"), "{err}");
        out
    }

    /// Runs with --json, expects success, returns the parsed result.
    fn json(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    /// Runs, expects exit code 1, returns (stdout, stderr).
    fn fails(&self, args: &[&str]) -> (String, String) {
        let o = self.run(args);
        let (out, err) = texts(&o);
        assert_eq!(
            o.status.code(),
            Some(1),
            "sene {args:?} should fail with 1\nstdout: {out}\nstderr: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        (out, err)
    }

    /// Runs with --json, expects exit 1 and `{"error":{code,message}}`; returns the error.
    fn json_error(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let (out, _) = self.fails(&a);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["error"].clone()
    }
}

fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Francs from a JSON amount (a string, as `Money` serializes, or a number).
fn francs(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_i64().unwrap(),
        other => panic!("not an amount: {other}"),
    }
}

/// The committee member of the test union (approves and voids: maker-checker).
const CTC: &str = "Bakary Comité";

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

/// A union with two cooperatives, a warehouse each, and a rice campaign at 200 FCFA/kg with
/// the default 60 % advance and no fee.
fn setup() -> Env {
    let env = Env::new();
    env.ok(&[
        "init",
        "--union",
        "Faso Jigi",
        "--region",
        "Ségou",
        "--agent",
        "Awa Secrétariat",
        "--device-name",
        "Portable 1",
        "--prefix",
        "A01",
    ]);
    for (code, name, village) in [
        ("DIO", "Coopérative de Diono", "Diono"),
        ("KON", "Coopérative de Konodimini", "Konodimini"),
    ] {
        env.ok(&[
            "cooperative",
            "add",
            "--code",
            code,
            "--name",
            name,
            "--village",
            village,
            "--commune",
            village,
            "--cercle",
            "Ségou",
            "--region",
            "Ségou",
        ]);
        env.ok(&[
            "warehouse",
            "add",
            "--cooperative",
            code,
            "--name",
            &format!("Magasin de {village}"),
        ]);
    }
    env.ok(&[
        "campaign",
        "add",
        "--name",
        "Riz 2026/27",
        "--price",
        "paddy_rice=200",
        "--contracts",
        "2026-05-01..2026-08-31",
        "--deliveries",
        "2026-10-01..2027-03-31",
    ]);
    // the committee member who approves and voids (maker-checker: a second person)
    env.ok(&[
        "agent",
        "add",
        "--name",
        "Bakary Comité",
        "--role",
        "ctc",
        "--cooperative",
        "DIO",
    ]);
    env
}

fn member_numbers(env: &Env) -> Vec<String> {
    env.json(&["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| s(&m["number"]))
        .collect()
}

const CSV_HEADER: &str =
    "Coopérative;Numéro;Nom;Sexe;Année naissance;Village;Téléphone;NINA;Cultures\n";

#[test]
fn import_csv_is_all_or_nothing_unless_skip_invalid() {
    let env = setup();
    let file = env.path("membres.csv");
    std::fs::write(
        &file,
        format!(
            "{CSV_HEADER}DIO;DIO-0010;Awa Traoré;F;1980;Diono;+223 76 12 34 56;;riz\n\
             DIO;DIO-0011;Moussa Coulibaly;M;1975;Diono;;;\"riz;céréales sèches\"\n\
             DIO;DIO-0012;Mauvais Téléphone;F;1985;Diono;12345;;riz\n\
             KON;KON-0001;Fatoumata Diarra;F;1990;Konodimini;70000000;;cereales seches\n"
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();

    // One bad row (row 4 of the file: the header is row 1): nothing imported, exit 1.
    let (out, err) = env.fails(&["import", "members", file]);
    assert!(out.contains("ligne 4 : REFUSÉE"), "{out}");
    assert!(out.contains("téléphone « 12345 » invalide"), "{out}");
    assert!(
        out.contains("ligne 2 : DIO-0010 Awa Traoré : valide (non importé)"),
        "{out}"
    );
    assert!(err.contains("import annulé"), "{err}");
    assert!(err.contains("rien n'a été importé"), "{err}");
    assert!(member_numbers(&env).is_empty());

    // Same in JSON: the rejected rows and the error.
    let mut a = vec!["--json", "import", "members", file];
    let (out, _) = env.fails(&a);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["imported"], 0);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 1);
    assert_eq!(v["rejected"][0]["row"], 4);
    assert_eq!(v["rejected"][0]["code"], "invalid_value");
    assert_eq!(v["error"]["code"], "import_rejected");
    assert!(member_numbers(&env).is_empty());

    // --skip-invalid: the three good rows go in, the bad one is listed.
    a.push("--skip-invalid");
    let v = env.json(&a[1..]);
    assert_eq!(v["imported"], 3);
    assert_eq!(v["rejected"][0]["row"], 4);
    let mut numbers = member_numbers(&env);
    numbers.sort();
    assert_eq!(numbers, ["DIO-0010", "DIO-0011", "KON-0001"]);
    let m = env.json(&["member", "show", "DIO-0011"]);
    assert_eq!(m["member"]["crops"].as_array().unwrap().len(), 2);
    let m = env.json(&["member", "show", "KON-0001"]);
    assert_eq!(m["member"]["phone"], "+22370000000");

    // Importing the same file again: every row is now a duplicate number.
    let v = env.json(&["import", "members", file, "--skip-invalid"]);
    assert_eq!(v["imported"], 0);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 4);
    assert_eq!(v["rejected"][0]["code"], "duplicate_member_number");
}

/// `--update`: members already registered (same cooperative and number) are corrected from
/// the file, row by row, each change said (old → new) and kept in their history; a bad row
/// cancels everything unless --skip-invalid.
#[test]
fn import_update_corrects_known_members_row_by_row() {
    let env = setup();
    let file = env.path("membres.csv");
    std::fs::write(
        &file,
        format!(
            "{CSV_HEADER}DIO;DIO-0010;Awa Traoré;F;1980;Diono;+223 76 12 34 56;;riz\n\
             DIO;DIO-0011;Moussa Coulibaly;M;1975;Diono;;;riz\n"
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    env.json(&["import", "members", file]);
    // the register of the following year: a new phone, a corrected village, a new member,
    // one unchanged
    let next = env.path("membres-2027.csv");
    std::fs::write(
        &next,
        format!(
            "{CSV_HEADER}DIO;DIO-0010;Awa Traoré;F;1980;Diono;66 00 11 22;;riz\n\
             DIO;dio-0011;Moussa Coulibaly;M;1975;Kolongo;;;riz\n\
             DIO;DIO-0012;Fanta Keita;F;1990;Diono;;;riz\n\
             KON;KON-0404;Inconnue;F;1990;Konodimini;;;riz\n"
        ),
    )
    .unwrap();
    let next = next.to_str().unwrap();
    // without --update a known number is refused
    let (out, _) = env.fails(&["import", "members", next]);
    assert!(out.contains("ligne 2 : REFUSÉE"), "{out}");
    std::fs::write(
        next,
        format!(
            "{CSV_HEADER}DIO;DIO-0010;Awa Traoré;F;1980;Diono;66 00 11 22;;riz\n\
             DIO;dio-0011;Moussa Coulibaly;M;1975;Kolongo;;;riz\n\
             DIO;DIO-0012;Fanta Keita;F;1990;Diono;;;riz\n\
             DIO;DIO-0010;Awa Traoré;F;1980;Diono;12;;riz\n"
        ),
    )
    .unwrap();
    // one bad row (a phone of two digits): nothing applied, every row said
    let (out, _) = env.fails(&[
        "import",
        "members",
        next,
        "--update",
        "--reason",
        "registre 2027",
    ]);
    assert!(
        out.contains("ligne 2 : DIO-0010 Awa Traoré : à corriger (non appliqué) : téléphone +22376123456 → +22366001122"),
        "{out}"
    );
    assert!(out.contains("ligne 3 : DIO-0011 Moussa Coulibaly : à corriger (non appliqué) : village Diono → Kolongo"), "{out}");
    assert!(out.contains("ligne 5 : REFUSÉE"), "{out}");
    let m = env.json(&["member", "show", "DIO-0010"]);
    assert_eq!(m["member"]["phone"], "+22376123456");
    assert!(!member_numbers(&env).contains(&"DIO-0012".to_owned()));
    // --skip-invalid: the good rows applied, in English too
    let v = env.json(&[
        "--lang",
        "en",
        "import",
        "members",
        next,
        "--update",
        "--reason",
        "register 2027",
        "--skip-invalid",
    ]);
    assert_eq!(v["imported"], 1, "{v}");
    let updated = v["updated"].as_array().unwrap();
    assert_eq!(updated.len(), 2, "{v}");
    assert_eq!(updated[0]["changes"][0]["field"], "phone");
    assert_eq!(updated[0]["changes"][0]["label"], "phone");
    assert_eq!(updated[0]["changes"][0]["old"], "+22376123456");
    assert_eq!(updated[0]["changes"][0]["new"], "+22366001122");
    assert_eq!(v["rejected"][0]["row"], 5);
    let m = env.json(&["member", "show", "DIO-0010"]);
    assert_eq!(m["member"]["phone"], "+22366001122");
    let m = env.json(&["member", "show", "DIO-0011"]);
    assert_eq!(m["member"]["village"], "Kolongo");
    // the same file again: nothing changes any more
    let out = env.ok(&["import", "members", next, "--update", "--skip-invalid"]);
    assert!(
        out.contains("ligne 2 : DIO-0010 Awa Traoré : inchangé"),
        "{out}"
    );
    assert!(
        out.contains("ligne 3 : DIO-0011 Moussa Coulibaly : inchangé"),
        "{out}"
    );
}

#[test]
fn import_xlsx_is_all_or_nothing_unless_skip_invalid() {
    let env = setup();
    let file = env.path("membres.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "cooperative",
        "numero",
        "nom",
        "sexe",
        "annee_naissance",
        "village",
        "telephone",
        "nina",
        "cultures",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    let rows: [[&str; 9]; 3] = [
        [
            "DIO",
            "DIO-0020",
            "Kadiatou Sangaré",
            "F",
            "",
            "Diono",
            "",
            "",
            "riz",
        ],
        [
            "DIO",
            "DIO-0021",
            "Sans Sexe",
            "X",
            "",
            "Diono",
            "",
            "",
            "riz",
        ],
        [
            "KON",
            "KON-0020",
            "Bakary Keïta",
            "M",
            "",
            "Konodimini",
            "",
            "",
            "riz",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap();
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, u16::try_from(c).unwrap(), *v).unwrap();
            }
        }
        // Year and phone typed as numbers, as Excel users do.
        ws.write_number(r, 4, 1970.0 + f64::from(r)).unwrap();
        ws.write_number(r, 6, 76_000_000.0 + f64::from(r)).unwrap();
    }
    wb.save(&file).unwrap();
    let file = file.to_str().unwrap();

    let (out, err) = env.fails(&["import", "members", file]);
    assert!(out.contains("ligne 3 : REFUSÉE"), "{out}");
    assert!(out.contains("sexe"), "{out}");
    assert!(err.contains("import annulé"), "{err}");
    assert!(member_numbers(&env).is_empty());

    let v = env.json(&["import", "members", file, "--skip-invalid"]);
    assert_eq!(v["imported"], 2);
    assert_eq!(v["rejected"][0]["row"], 3);
    let m = env.json(&["member", "show", "DIO-0020"]);
    assert_eq!(m["member"]["birth_year"], 1971);
    assert_eq!(m["member"]["phone"], "+22376000001");
}

#[test]
fn a_season_through_the_cli_settles_to_the_franc() {
    let env = setup();
    // A member, then a probable duplicate (same name folded, village, birth year ±1).
    env.ok(&[
        "member",
        "add",
        "--cooperative",
        "DIO",
        "--number",
        "DIO-0001",
        "--name",
        "Awa Traoré",
        "--sex",
        "F",
        "--birth-year",
        "1980",
        "--village",
        "Diono",
        "--family",
        "riz",
    ]);
    let dup = [
        "member",
        "add",
        "--cooperative",
        "DIO",
        "--number",
        "DIO-0002",
        "--name",
        "AWA TRAORE",
        "--sex",
        "F",
        "--birth-year",
        "1981",
        "--village",
        "Diono",
    ];
    let (_, err) = env.fails(&dup);
    assert!(
        err.contains("erreur : doublon probable : DIO-0001 Awa Traoré"),
        "{err}"
    );
    assert!(err.contains("--confirm"), "{err}");
    assert_eq!(env.json_error(&dup)["code"], "probable_duplicate");
    let mut confirmed = dup.to_vec();
    confirmed.push("--confirm");
    env.ok(&confirmed);

    // Contracts: DIO-0001 commits 1 000 kg, DIO-0002 500 kg, at 200 FCFA/kg.
    let c1 = env.json(&[
        "contract",
        "request",
        "--member",
        "DIO-0001",
        "--campaign",
        "riz 2026/27",
        "--kg",
        "1000",
        "--date",
        "2026-06-01",
    ]);
    assert_eq!(c1["state"], "requested");
    let c1 = s(&c1["id"]);
    let c2 = s(&env.json(&[
        "contract",
        "request",
        "--member",
        "DIO-0002",
        "--campaign",
        "Riz 2026/27",
        "--kg",
        "500",
        "--date",
        "2026-06-01",
    ])["id"]);
    // who requested it may not approve it
    let (_, err) = env.fails(&["contract", "approve", &c1, "--date", "2026-06-02"]);
    assert!(err.contains("seconde personne"), "{err}");
    let approved = env.json(&[
        "--agent",
        CTC,
        "contract",
        "approve",
        &c1,
        "--date",
        "2026-06-02",
    ]);
    assert_eq!(approved["state"], "approved");
    // By member number, when the member has one contract.
    env.ok(&[
        "--agent",
        CTC,
        "contract",
        "approve",
        "DIO-0002",
        "--date",
        "2026-06-02",
    ]);

    // Advance due = 60 % × 200 × 1 000 = 120 000: 130 000 is refused.
    let (_, err) = env.fails(&[
        "disburse",
        "--contract",
        &c1,
        "--amount",
        "130000",
        "--date",
        "2026-06-03",
    ]);
    assert!(err.contains("avance refusée"), "{err}");
    assert!(err.contains("120\u{a0}000\u{a0}FCFA"), "{err}");

    // A mistaken advance, reversed, then the right one.
    let wrong = env.json(&[
        "disburse",
        "--contract",
        &c1,
        "--amount",
        "100000",
        "--date",
        "2026-06-03",
    ]);
    let wrong_id = s(&wrong["disbursement"]["id"]);
    env.ok(&[
        "--agent",
        CTC,
        "reverse",
        "--kind",
        "disbursement",
        "--record",
        &wrong_id,
        "--reason",
        "erreur de saisie",
        "--date",
        "2026-06-03",
    ]);
    let (_, err) = env.fails(&[
        "--agent",
        CTC,
        "reverse",
        "--kind",
        "disbursement",
        "--record",
        &wrong_id,
        "--reason",
        "encore",
    ]);
    assert!(err.contains("déjà été annulé"), "{err}");
    let id = "01a20000-0000-7000-8000-000000000001";
    let args = [
        "disburse",
        "--contract",
        &c1,
        "--amount",
        "120000",
        "--date",
        "2026-06-04",
        "--mode",
        "mobile_money",
        "--id",
        id,
    ];
    let first = env.json(&args);
    assert_eq!(francs(&first["disbursed"]), 120_000);
    assert_eq!(francs(&first["advance_due"]), 120_000);
    // A retried command with the same id is a no-op; other content with that id is refused.
    let again = env.json(&args);
    assert_eq!(
        again["disbursement"]["recorded"]["receipt"],
        first["disbursement"]["recorded"]["receipt"]
    );
    assert_eq!(francs(&again["disbursed"]), 120_000);
    let mut other = args.to_vec();
    other[4] = "110000";
    assert_eq!(env.json_error(&other)["code"], "id_conflict");
    // DIO-0002: 60 % × 200 × 500 = 60 000, by member number.
    env.ok(&[
        "disburse",
        "--contract",
        "DIO-0002",
        "--amount",
        "60000",
        "--date",
        "2026-06-04",
    ]);

    // Deliveries. Preview first: 10 bags, 1 005 kg gross, tare 0,5 → net 1 000; 16 % moisture
    // with a 14 % limit → −2 % → 980 kg accepted, worth 196 000.
    let p = env.json(&[
        "delivery",
        "preview",
        "--contract",
        &c1,
        "--bags",
        "10",
        "--gross",
        "1005",
        "--moisture",
        "16",
        "--impurity",
        "1",
    ]);
    assert_eq!(p["net"], "1000.0");
    assert_eq!(p["accepted"], "980.0");
    assert_eq!(francs(&p["value"]), 196_000);
    // The real one, dry: 1 000 kg accepted (full delivery).
    let d = env.json(&[
        "delivery",
        "add",
        "--contract",
        &c1,
        "--bags",
        "10",
        "--gross",
        "1005",
        "--moisture",
        "12",
        "--impurity",
        "1",
        "--date",
        "2026-10-15",
    ]);
    assert_eq!(d["accepted"], "1000.0");
    // DIO-0002: a wrong weighing, reversed, then 4 bags of 50,5 kg gross = 200 kg net.
    let bad = env.json(&[
        "delivery",
        "add",
        "--contract",
        "DIO-0002",
        "--bags",
        "4",
        "--gross",
        "2002",
        "--moisture",
        "12",
        "--impurity",
        "1",
        "--date",
        "2026-10-16",
    ]);
    env.ok(&[
        "--agent",
        CTC,
        "reverse",
        "--kind",
        "delivery",
        "--record",
        &s(&bad["id"]),
        "--reason",
        "pesée fausse",
        "--date",
        "2026-10-16",
    ]);
    env.ok(&[
        "delivery",
        "add",
        "--contract",
        &c2,
        "--warehouse",
        "Magasin de Diono",
        "--bags",
        "4",
        "--gross",
        "202",
        "--moisture",
        "12",
        "--impurity",
        "1",
        "--date",
        "2026-10-16",
    ]);

    // Settlement, by hand:
    // DIO-0001: 1 000 kg × 200 = 200 000 − 120 000 = 80 000 (the remaining 40 %).
    // DIO-0002: 200 kg × 200 = 40 000 − 60 000 = −20 000 (a debt).
    let reports = env.json(&[
        "report",
        "settlement",
        "--campaign",
        "Riz 2026/27",
        "--date",
        "2027-01-15",
    ]);
    let r = &reports[0];
    assert_eq!(r["campaign"], "Riz 2026/27");
    let line = |n: &str| {
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["number"] == n)
            .unwrap()
            .clone()
    };
    let a = line("DIO-0001");
    assert_eq!(francs(&a["delivered_value"]), 200_000);
    assert_eq!(francs(&a["advances"]), 120_000);
    assert_eq!(francs(&a["fees"]), 0);
    assert_eq!(francs(&a["net"]), 80_000);
    assert_eq!(francs(&a["net"]) * 100 / francs(&a["delivered_value"]), 40);
    assert_eq!(francs(&a["debt"]), 0);
    let b = line("DIO-0002");
    assert_eq!(b["accepted"], "200.0");
    assert_eq!(francs(&b["delivered_value"]), 40_000);
    assert_eq!(francs(&b["advances"]), 60_000);
    assert_eq!(francs(&b["net"]), -20_000);
    assert_eq!(francs(&b["debt"]), 20_000);
    let t = &r["totals"];
    assert_eq!(t["members"], 2);
    assert_eq!(francs(&t["delivered_value"]), 240_000);
    assert_eq!(francs(&t["advances"]), 180_000);
    assert_eq!(francs(&t["net"]), 60_000);
    assert_eq!(francs(&t["payable"]), 80_000);
    assert_eq!(francs(&t["debt"]), 20_000);
    assert_eq!(t["members_in_debt"], 1);
    assert_eq!(francs(&r["cooperatives"]["DIO"]["net"]), 60_000);

    // Filters.
    let only = env.json(&[
        "report",
        "settlement",
        "--member",
        "DIO-0002",
        "--date",
        "2027-01-15",
    ]);
    assert_eq!(only[0]["members"].as_array().unwrap().len(), 1);
    let kon = env.json(&[
        "report",
        "settlement",
        "--cooperative",
        "KON",
        "--date",
        "2027-01-15",
    ]);
    assert!(kon[0]["members"].as_array().unwrap().is_empty());

    // Human output: French amounts.
    let text = env.ok(&["report", "settlement", "--date", "2027-01-15"]);
    assert!(text.contains("net 80\u{a0}000\u{a0}FCFA"), "{text}");
    assert!(text.contains("dette 20\u{a0}000\u{a0}FCFA"), "{text}");
    assert!(text.contains("Coopérative DIO"), "{text}");

    // Campaign progress: committed 1 500 kg, delivered 1 200 kg, 180 000 due and disbursed.
    let c = env.json(&["report", "campaign"]);
    assert_eq!(c[0]["total"]["committed"], "1500.0");
    assert_eq!(c[0]["total"]["delivered"], "1200.0");
    assert_eq!(francs(&c[0]["total"]["advance_due"]), 180_000);
    assert_eq!(francs(&c[0]["total"]["disbursed"]), 180_000);

    // The audit trail and the check.
    let audit = env.json(&["audit", "--limit", "3"]);
    assert_eq!(audit.as_array().unwrap().len(), 3);
    let check = env.json(&["check"]);
    assert_eq!(check["integrity"], "ok");
    assert_eq!(check["counts"]["disbursements"], 3);
    assert_eq!(check["counts"]["reversals"], 2);
    let cash = env.json(&["report", "cash"]);
    assert_eq!(
        francs(&cash["campaigns"][0]["position"]["paid_out"]),
        180_000
    );
}

#[test]
fn bad_input_gets_a_clear_error_never_a_panic() {
    let env = setup();
    env.ok(&[
        "member",
        "add",
        "--cooperative",
        "DIO",
        "--number",
        "DIO-0001",
        "--name",
        "Awa Traoré",
        "--sex",
        "F",
        "--village",
        "Diono",
    ]);
    let c = s(&env.json(&[
        "contract",
        "request",
        "--member",
        "DIO-0001",
        "--campaign",
        "Riz 2026/27",
        "--kg",
        "1000",
        "--date",
        "2026-06-01",
    ])["id"]);
    env.ok(&[
        "--agent",
        CTC,
        "contract",
        "approve",
        &c,
        "--date",
        "2026-06-02",
    ]);

    let (_, err) = env.fails(&["disburse", "--contract", &c, "--amount", "1500.5"]);
    assert!(
        err.starts_with("erreur : --amount : 1500.5 : le franc CFA n'a pas de centimes"),
        "{err}"
    );
    let (_, err) = env.fails(&[
        "disburse",
        "--contract",
        &c,
        "--amount",
        "1000",
        "--date",
        "2026-02-30",
    ]);
    assert!(err.contains("n'est pas une date valide"), "{err}");
    let (_, err) = env.fails(&[
        "contract",
        "request",
        "--member",
        "DIO-0999",
        "--campaign",
        "Riz 2026/27",
        "--kg",
        "10",
    ]);
    assert!(err.contains("membre introuvable : DIO-0999"), "{err}");
    assert_eq!(
        env.json_error(&["member", "show", "DIO-0999"])["code"],
        "not_found"
    );
    let (_, err) = env.fails(&["campaign", "show", "Mil 1999"]);
    assert!(err.contains("campagne introuvable"), "{err}");
    let (_, err) = env.fails(&[
        "campaign",
        "add",
        "--name",
        "X",
        "--price",
        "avoine=100",
        "--contracts",
        "2026-01-01..2026-02-01",
        "--deliveries",
        "2026-03-01..2026-04-01",
    ]);
    assert!(err.contains("--price : « avoine » inconnu"), "{err}");
    let (_, err) = env.fails(&[
        "delivery",
        "add",
        "--contract",
        &c,
        "--bags",
        "2",
        "--gross",
        "12.25",
        "--moisture",
        "12",
        "--impurity",
        "1",
    ]);
    assert!(err.contains("une seule décimale"), "{err}");
    // A usage error is clap's: exit code 2.
    let o = env.run(&["disburse"]);
    assert_eq!(o.status.code(), Some(2));
    // Nothing but the contract and its approval was written.
    assert_eq!(env.json(&["check"])["counts"]["disbursements"], 0);
}

#[test]
fn english_messages_with_lang_en() {
    let env = setup();
    let (_, err) = env.fails(&["--lang", "en", "member", "show", "DIO-0999"]);
    assert_eq!(err.trim(), "error: member not found: DIO-0999");
    let e = env.json_error(&[
        "--lang",
        "en",
        "disburse",
        "--contract",
        "DIO-0999",
        "--amount",
        "1500.5",
    ]);
    assert_eq!(e["code"], "not_found");
    let e = env.json_error(&["--lang", "en", "report", "settlement", "--date", "tomorrow"]);
    assert_eq!(e["code"], "invalid_date");
    assert_eq!(
        e["message"],
        "--date: \"tomorrow\" is not a valid date (expected YYYY-MM-DD, e.g. 2026-10-15)"
    );
    let (_, err) = env.fails(&[
        "--lang",
        "en",
        "campaign",
        "add",
        "--name",
        "Y",
        "--price",
        "paddy_rice=100.5",
        "--contracts",
        "2026-01-01..2026-02-01",
        "--deliveries",
        "2026-03-01..2026-04-01",
    ]);
    assert!(err.contains("the CFA franc has no cents"), "{err}");
}

#[test]
fn a_garbage_store_is_refused_and_left_untouched() {
    let env = Env::new();
    let garbage = env.path("pas-une-base.sqlite");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, &bytes).unwrap();
    for args in [
        &["member", "list"][..],
        &[
            "init",
            "--union",
            "U",
            "--region",
            "R",
            "--agent",
            "A",
            "--device-name",
            "D",
            "--prefix",
            "P",
        ][..],
        &["check"][..],
    ] {
        let o = env.run_with(&garbage, args);
        let (out, err) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{out}{err}");
        assert!(err.contains("n'est pas une base Sene lisible"), "{err}");
        assert!(err.contains("il n'a pas été modifié"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = env.run_with(&garbage, &["--json", "member", "list"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["code"], "store_unreadable");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes);
    // A store that does not exist is not created by a read.
    let missing = env.path("absente.sqlite");
    let o = env.run_with(&missing, &["member", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!missing.exists());
}

/// Depends on `sene_app::demo::load_demo` (written by another engineer).
#[test]
fn demo_settles_with_positive_nets_and_some_debts() {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    assert!(out.contains("Démo chargée"), "{out}");
    let reports = env.json(&["report", "settlement"]);
    let lines: Vec<&Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["members"].as_array().unwrap().iter())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().any(|l| francs(&l["net"]) > 0));
    assert!(lines.iter().any(|l| francs(&l["debt"]) > 0));
}

/// One meaning per flag name (#19): a crop family is `--family` (as in `campaign add`), a crop
/// is `--crop`; the record a reversal undoes is `--record` and `--id` is, as on every write,
/// the id given to the new record; `--to` is where a file goes, so a transfer names the
/// cooperative with `--to-cooperative` and an allocation its agent with `--to-agent`.
#[test]
fn each_flag_name_means_one_thing() {
    let env = setup();
    fn member<'a>(number: &'a str, name: &'a str, family: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec![
            "member",
            "add",
            "--cooperative",
            "DIO",
            "--number",
            number,
            "--name",
            name,
            "--sex",
            "F",
            "--village",
            "Diono",
        ];
        a.extend_from_slice(family);
        a
    }
    let m = env.json(&member(
        "DIO-0001",
        "Awa Traoré",
        &["--family", "riz", "--family", "échalote"],
    ));
    assert_eq!(m["crops"], serde_json::json!(["rice", "shallot"]));
    // `--crop` is a crop: a member is not registered with one
    let o = env.run(&member("DIO-0002", "Fanta Koné", &["--crop", "riz"]));
    assert_eq!(o.status.code(), Some(2), "{}", texts(&o).1);
    assert!(texts(&o).1.contains("--crop"), "{}", texts(&o).1);
    let c = env.json(&[
        "member",
        "correct",
        "DIO-0001",
        "--family",
        "riz",
        "--reason",
        "fiche papier",
    ]);
    assert_eq!(c["member"]["crops"], serde_json::json!(["rice"]));
    let o = env.run(&[
        "member", "correct", "DIO-0001", "--crops", "riz", "--reason", "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    env.ok(&member("DIO-0002", "Fanta Koné", &[]));

    // a contract names its crop with --crop
    let k = env.json(&[
        "contract",
        "request",
        "--member",
        "DIO-0001",
        "--campaign",
        "Riz 2026/27",
        "--crop",
        "paddy_rice",
        "--kg",
        "1000",
        "--date",
        "2026-06-01",
    ]);
    assert_eq!(k["crop"], "paddy_rice");
    let k = s(&k["id"]);
    env.ok(&[
        "--agent",
        CTC,
        "contract",
        "approve",
        &k,
        "--date",
        "2026-06-02",
    ]);
    let paid = env.json(&[
        "disburse",
        "--contract",
        &k,
        "--amount",
        "1000",
        "--date",
        "2026-06-03",
    ]);
    let paid = s(&paid["disbursement"]["id"]);
    // reverse: --record is what is undone, --id the reversal's own id (a retry is no double)
    let rid = "01a20000-0000-7000-8000-0000000000aa";
    let reverse = [
        "--agent",
        CTC,
        "reverse",
        "--kind",
        "disbursement",
        "--record",
        &paid,
        "--id",
        rid,
        "--reason",
        "erreur de saisie",
        "--date",
        "2026-06-03",
    ];
    assert_eq!(env.json(&reverse)["id"], rid);
    assert_eq!(env.json(&reverse)["id"], rid);
    let o = env.run(&[
        "--agent",
        CTC,
        "reverse",
        "--kind",
        "disbursement",
        "--id",
        &paid,
        "--reason",
        "x",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--id alone is not the record undone"
    );

    // an allocation names its agent, a transfer its cooperative; --to stays a path
    let to_agent = [
        "allocation",
        "add",
        "--campaign",
        "Riz 2026/27",
        "--to-agent",
        CTC,
        "--cooperative",
        "DIO",
        "--amount",
        "5000",
        "--date",
        "2026-06-03",
    ];
    env.ok(&to_agent);
    let mut old = to_agent.to_vec();
    old[4] = "--to";
    assert_eq!(env.run(&old).status.code(), Some(2));
    let t = env.json(&[
        "member",
        "transfer",
        "DIO-0002",
        "--to-cooperative",
        "KON",
        "--new-number",
        "KON-0100",
        "--reason",
        "mariage",
    ]);
    assert_eq!(t["joined"]["number"], "KON-0100");
    let o = env.run(&[
        "member",
        "transfer",
        "KON-0100",
        "--to",
        "DIO",
        "--new-number",
        "DIO-0100",
        "--reason",
        "retour",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// A contract's advance due is shown per contract (#19): in `contract list` (its lines and
/// JSON) and on each contract line of `member show`, from the contract's terms (60 % × 200 ×
/// kg); a contract not approved shows it as planned (« avance prévue »), beside its state.
#[test]
fn each_contract_shows_its_advance_due() {
    let env = setup();
    for (number, name) in [("DIO-0001", "Awa Traoré"), ("DIO-0002", "Fanta Koné")] {
        env.ok(&[
            "member",
            "add",
            "--cooperative",
            "DIO",
            "--number",
            number,
            "--name",
            name,
            "--sex",
            "F",
            "--village",
            "Diono",
        ]);
    }
    let request = |number: &str, kg: &str| {
        s(&env.json(&[
            "contract",
            "request",
            "--member",
            number,
            "--campaign",
            "Riz 2026/27",
            "--kg",
            kg,
            "--date",
            "2026-06-01",
        ])["id"])
    };
    let approved = request("DIO-0001", "1000");
    let requested = request("DIO-0002", "500");
    env.ok(&[
        "--agent",
        CTC,
        "contract",
        "approve",
        &approved,
        "--date",
        "2026-06-02",
    ]);

    let list = env.json(&["contract", "list"]);
    let row = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["contract"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(francs(&row(&approved)["advance_due"]), 120_000);
    assert_eq!(row(&approved)["advance_approved"], true);
    assert_eq!(francs(&row(&requested)["advance_due"]), 60_000);
    assert_eq!(row(&requested)["advance_approved"], false);
    let one = env.json(&["contract", "list", "--member", "DIO-0002"]);
    assert_eq!(francs(&one[0]["advance_due"]), 60_000);

    let line = |text: &str, id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_owned();
    let text = env.ok(&["contract", "list"]);
    assert!(
        line(&text, &approved).contains("avance due 120\u{a0}000\u{a0}FCFA"),
        "{text}"
    );
    assert!(
        line(&text, &requested).contains("avance prévue 60\u{a0}000\u{a0}FCFA"),
        "{text}"
    );
    let text = env.ok(&["--lang", "en", "contract", "list"]);
    assert!(
        line(&text, &approved).contains("advance due 120\u{a0}000\u{a0}FCFA"),
        "{text}"
    );
    assert!(
        line(&text, &requested).contains("planned advance 60\u{a0}000\u{a0}FCFA"),
        "{text}"
    );

    let card = env.json(&["member", "show", "DIO-0001"]);
    assert_eq!(francs(&card["contracts"][0]["advance_due"]), 120_000);
    assert_eq!(card["contracts"][0]["advance_approved"], true);
    assert_eq!(card["contracts"][0]["id"], approved.as_str());
    let text = env.ok(&["member", "show", "DIO-0001"]);
    assert!(
        line(&text, &approved).contains("avance due 120\u{a0}000\u{a0}FCFA"),
        "{text}"
    );
    let text = env.ok(&["member", "show", "DIO-0002"]);
    assert!(
        line(&text, &requested).contains("avance prévue 60\u{a0}000\u{a0}FCFA"),
        "{text}"
    );

    // the settlement's JSON lists the contracts it counts, each with its advance due: the
    // approved one, not the request with nothing paid nor delivered on it
    let settled = env.json(&["report", "settlement", "--campaign", "Riz 2026/27"]);
    let contracts = settled[0]["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 1, "{settled}");
    assert_eq!(contracts[0]["contract_id"], approved.as_str());
    assert_eq!(francs(&contracts[0]["advance_due"]), 120_000);
    assert_eq!(contracts[0]["approved"], true);

    // the union's figures are the secretariat's, from the CLI as from the window
    let e = env.json_error(&[
        "--agent",
        CTC,
        "report",
        "dashboard",
        "--campaign",
        "Riz 2026/27",
    ]);
    assert_eq!(e["code"], "forbidden", "{e}");
    let e = env.json_error(&["--agent", CTC, "report", "settlement"]);
    assert_eq!(e["code"], "forbidden", "{e}");
    // one member's settlement is not
    env.ok(&[
        "--agent",
        CTC,
        "report",
        "settlement",
        "--member",
        "DIO-0001",
    ]);
}

/// Under `--lang en` every line `sene` prints is English (#19): confirmations, lists, reports,
/// progress and errors (a bad id, date or amount, an unknown member, a refused rule); the same
/// commands under `--lang fr` are French. The union's own names carry no accent here, so a
/// French word in the output can only be the program's.
#[test]
fn every_message_is_english_under_lang_en() {
    let env = Env::new();
    env.ok(&[
        "init",
        "--union",
        "Faso Jigi",
        "--region",
        "Segou",
        "--agent",
        "Awa Sidibe",
        "--device-name",
        "Laptop 1",
        "--prefix",
        "A01",
    ]);
    for code in ["DIO", "KON"] {
        env.ok(&[
            "cooperative",
            "add",
            "--code",
            code,
            "--name",
            &format!("{code} union"),
            "--village",
            code,
            "--commune",
            code,
            "--cercle",
            "Segou",
            "--region",
            "Segou",
        ]);
        env.ok(&[
            "warehouse",
            "add",
            "--cooperative",
            code,
            "--name",
            &format!("{code} store"),
        ]);
    }
    env.ok(&[
        "agent",
        "add",
        "--name",
        "Bakary Kone",
        "--role",
        "ctc",
        "--cooperative",
        "DIO",
    ]);
    env.ok(&[
        "campaign",
        "add",
        "--name",
        "Rice 2026",
        "--price",
        "paddy_rice=200",
        "--contracts",
        "2026-05-01..2026-08-31",
        "--deliveries",
        "2026-10-01..2027-03-31",
    ]);
    // the same number in both cooperatives: an ambiguous lookup
    for (coop, name) in [("DIO", "Awa Traore"), ("KON", "Fanta Kone")] {
        env.ok(&[
            "member",
            "add",
            "--cooperative",
            coop,
            "--number",
            "M-0001",
            "--name",
            name,
            "--sex",
            "F",
            "--birth-year",
            "1980",
            "--village",
            coop,
            "--family",
            "riz",
        ]);
    }
    let contract = s(&env.json(&[
        "contract",
        "request",
        "--member",
        "M-0001",
        "--cooperative",
        "DIO",
        "--campaign",
        "Rice 2026",
        "--kg",
        "1000",
        "--date",
        "2026-06-01",
    ])["id"]);
    env.ok(&[
        "--agent",
        "Bakary Kone",
        "contract",
        "approve",
        &contract,
        "--date",
        "2026-06-02",
    ]);
    let paid = s(&env.json(&[
        "disburse",
        "--contract",
        &contract,
        "--amount",
        "50000",
        "--date",
        "2026-06-03",
    ])["disbursement"]["id"]);

    let c = contract.as_str();
    let weighing = [
        "--bags",
        "10",
        "--gross",
        "1005",
        "--moisture",
        "16",
        "--impurity",
        "1",
    ];
    let mut preview = vec!["delivery", "preview", "--contract", c];
    preview.extend_from_slice(&weighing);
    // each write has its --id: run again in French, it is the same record, not a second one
    let mut deliver = vec![
        "delivery",
        "add",
        "--contract",
        c,
        "--date",
        "2026-10-15",
        "--id",
        "01a20000-0000-7000-8000-0000000000d1",
    ];
    deliver.extend_from_slice(&weighing);
    let succeed: Vec<Vec<&str>> = vec![
        vec!["cooperative", "list"],
        vec!["warehouse", "list"],
        vec!["agent", "list"],
        vec!["member", "list"],
        vec!["member", "search", "Nobody"],
        vec!["member", "show", "M-0001", "--cooperative", "DIO"],
        vec!["campaign", "list"],
        vec!["campaign", "show", "Rice 2026"],
        vec!["contract", "list"],
        vec![
            "contract",
            "request",
            "--member",
            "M-0001",
            "--cooperative",
            "KON",
            "--campaign",
            "Rice 2026",
            "--kg",
            "100",
            "--date",
            "2026-06-01",
            "--id",
            "01a20000-0000-7000-8000-0000000000c2",
        ],
        vec![
            "disburse",
            "--contract",
            c,
            "--amount",
            "1000",
            "--date",
            "2026-06-04",
            "--id",
            "01a20000-0000-7000-8000-0000000000a2",
        ],
        preview,
        deliver,
        vec![
            "--agent",
            "Bakary Kone",
            "reverse",
            "--kind",
            "disbursement",
            "--record",
            &paid,
            "--reason",
            "typo",
            "--date",
            "2026-06-05",
            "--id",
            "01a20000-0000-7000-8000-0000000000e1",
        ],
        vec!["report", "settlement", "--date", "2027-01-15"],
        vec!["report", "campaign"],
        vec!["report", "cash"],
        vec!["report", "portfolio", "--campaign", "Rice 2026"],
        vec![
            "report",
            "dashboard",
            "--campaign",
            "Rice 2026",
            "--date",
            "2027-01-15",
        ],
        vec![
            "lender",
            "add",
            "--name",
            "Kafo",
            "--kind",
            "microfinance",
            "--id",
            "01a20000-0000-7000-8000-0000000000b1",
        ],
        vec![
            "allocation",
            "add",
            "--campaign",
            "Rice 2026",
            "--to-agent",
            "Bakary Kone",
            "--cooperative",
            "DIO",
            "--amount",
            "10000",
            "--date",
            "2026-06-03",
            "--id",
            "01a20000-0000-7000-8000-0000000000f1",
        ],
        vec![
            "fertilizer",
            "product",
            "add",
            "--name",
            "NPK",
            "--price",
            "15000",
            "--id",
            "01a20000-0000-7000-8000-0000000000f2",
        ],
        vec!["conflicts", "list"],
        vec!["settlement", "list"],
        vec!["anomalies", "log", "--campaign", "Rice 2026"],
        vec!["stock", "list", "--campaign", "Rice 2026"],
        vec!["cash", "list", "--campaign", "Rice 2026"],
        vec!["check"],
        vec!["table", "reversals"],
        vec!["member", "history", "M-0001", "--cooperative", "DIO"],
    ];
    let fail: Vec<Vec<&str>> = vec![
        // a bad id, date, amount; an unknown member; refused rules; an ambiguous number
        vec![
            "disburse",
            "--contract",
            c,
            "--amount",
            "1000",
            "--id",
            "not-a-uuid",
        ],
        vec![
            "disburse",
            "--contract",
            c,
            "--amount",
            "1000",
            "--date",
            "2026-02-30",
        ],
        vec!["disburse", "--contract", c, "--amount", "1500.5"],
        vec!["member", "show", "DIO-0999"],
        vec!["member", "show", "M-0001"],
        vec![
            "disburse",
            "--contract",
            c,
            "--amount",
            "900000",
            "--date",
            "2026-06-06",
        ],
        vec!["contract", "approve", c, "--date", "2026-06-02"],
        vec!["campaign", "show", "Millet 1999"],
        vec!["table", "nothing"],
        vec!["member", "correct", "M-0001", "--cooperative", "DIO"],
        vec![
            "member",
            "depart",
            "M-0001",
            "--cooperative",
            "DIO",
            "--status",
            "vanished",
            "--reason",
            "x",
        ],
        vec![
            "sale-lot",
            "complement",
            "--campaign",
            "Rice 2026",
            "--crop",
            "oats",
        ],
    ];
    let said = |lang: &str, args: &[&str], ok: bool| -> String {
        let mut a = vec!["--lang", lang];
        a.extend_from_slice(args);
        let o = env.run(&a);
        let (out, err) = texts(&o);
        assert_eq!(o.status.success(), ok, "sene {a:?}\n{out}{err}");
        assert!(!err.contains("panicked"), "{err}");
        format!("{out}{err}")
    };
    const FRENCH: [&str; 14] = [
        "«",
        "»",
        "é",
        "è",
        "à ",
        "ç",
        "introuvable",
        "n'est pas",
        "membre",
        "coopérative",
        "contrat",
        "aucun",
        "erreur",
        " : ",
    ];
    let mut french = String::new();
    for (args, ok) in succeed
        .iter()
        .map(|a| (a, true))
        .chain(fail.iter().map(|a| (a, false)))
    {
        let en = said("en", args, ok);
        if let Some(w) = FRENCH.iter().find(|w| en.contains(**w)) {
            panic!("sene --lang en {args:?} says {w:?}:\n{en}");
        }
        french.push_str(&said("fr", args, ok));
    }
    for w in [
        "contrat",
        "membre",
        "coopérative",
        "introuvable",
        "n'est pas",
        "erreur : ",
        "avance due",
        "Règlement",
    ] {
        assert!(french.contains(w), "no {w:?} in French:\n{french}");
    }
}

/// The modules of `sene` import one another without a loop (#19): shared helpers (the store
/// opened, lookups, parsing, output, language, files) are leaves that import no command, so
/// the graph goes one way, main → commands → commands/* → leaves. The graph is read from the
/// sources: `crate::…` and `super::…` paths, and a parent's paths to its child modules.
#[test]
fn the_cli_modules_import_one_another_without_a_loop() {
    use std::collections::{BTreeMap, BTreeSet};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // module path (`commands::org`; the crate root is "") → its source, comments left out
    let mut sources = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "main") {
                parts.pop();
            }
            let text: String = std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            sources.insert(parts.join("::"), text);
        }
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_owned()
        } else {
            format!("{a}::{b}")
        }
    };
    // the longest module a path names, from module `m`
    let target = |m: &str, path: &[&str]| -> Option<String> {
        let mut parts: Vec<String> = match path.first().copied() {
            Some("crate") => Vec::new(),
            Some("super") => {
                let mut p: Vec<String> = m.split("::").map(str::to_owned).collect();
                p.pop();
                p
            }
            Some(first) if modules.contains(&join(m, first)) => m
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => return None,
        };
        let rest = match path.first().copied() {
            Some("crate" | "super") => &path[1..],
            _ => path,
        };
        parts.extend(rest.iter().map(|s| (*s).to_owned()));
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|c| modules.contains(c))
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &sources {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if !ident(chars[i]) || (i > 0 && (ident(chars[i - 1]) || chars[i - 1] == ':')) {
                i += 1;
                continue;
            }
            // a path `a::b::c`, perhaps ending in a group `::{x, y::z}`
            let mut path: Vec<String> = Vec::new();
            let mut groups: Vec<Vec<String>> = Vec::new();
            loop {
                let start = i;
                while i < chars.len() && ident(chars[i]) {
                    i += 1;
                }
                path.push(chars[start..i].iter().collect());
                if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
                    i += 2;
                    if chars.get(i) == Some(&'{') {
                        let end = (i..chars.len()).find(|&j| chars[j] == '}').unwrap_or(i);
                        let inner: String = chars[i + 1..end].iter().collect();
                        for item in inner.split(',') {
                            let item = item.split_whitespace().next().unwrap_or("");
                            if !item.is_empty() && item != "self" {
                                groups.push(item.split("::").map(str::to_owned).collect());
                            }
                        }
                        i = end;
                        break;
                    }
                    if i < chars.len() && ident(chars[i]) {
                        continue;
                    }
                }
                break;
            }
            if path.len() < 2 && groups.is_empty() {
                continue;
            }
            let mut named = vec![path.clone()];
            for g in groups {
                named.push(path.iter().cloned().chain(g).collect());
            }
            for p in named {
                let p: Vec<&str> = p.iter().map(String::as_str).collect();
                if let Some(t) = target(m, &p) {
                    if t != *m {
                        edges.entry(m.clone()).or_default().insert(t);
                    }
                }
            }
        }
    }
    // every loop: a module that reaches itself
    let mut loops = Vec::new();
    for m in &modules {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges.get(m).into_iter().flatten().collect();
        while let Some(n) = todo.pop() {
            if seen.insert(n.clone()) {
                todo.extend(edges.get(n).into_iter().flatten());
            }
        }
        if seen.contains(m) {
            loops.push(m.clone());
        }
    }
    assert!(
        !edges.is_empty() && edges.get("commands").is_some_and(|e| e.len() > 5),
        "the graph was not read: {edges:?}"
    );
    assert!(
        loops.is_empty(),
        "modules in an import loop: {loops:?}\ngraph: {edges:#?}"
    );
}
