//! The registry lives, from the command line (issue #18): a member's card corrected with a
//! reason, refusals in French and English, her history, a departure, a transfer; a warehouse
//! closed and an agent corrected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::common::{json, sene};
use chrono::{Days, NaiveDate, Utc};
use serde_json::Value;

fn text(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs, expects success; stdout.
fn ok(store: &Path, args: &[&str]) -> String {
    let o = sene(store, args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "sene {args:?}: {out}{err}");
    out
}

/// Runs, expects exit 1 with nothing on stdout; stderr.
fn fails(store: &Path, args: &[&str]) -> String {
    let o = sene(store, args);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "sene {args:?}: {out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The error of a refused command: exit 1 and `{"error": {code, message}}`.
fn refused(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let o = sene(store, &a);
    assert_eq!(o.status.code(), Some(1), "sene {args:?} was not refused");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["error"].clone()
}

/// Today, as the `sene` the test runs sees it (its clock is the system's).
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

const CAMP: &str = "Riz en cours";

/// A union with two cooperatives (DIO, KON), a warehouse each, a campaign open today, and
/// two members of DIO registered today.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    ok(
        &store,
        &[
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
        ],
    );
    for (code, village) in [("DIO", "Diono"), ("KON", "Konodimini")] {
        ok(
            &store,
            &[
                "cooperative",
                "add",
                "--code",
                code,
                "--name",
                &format!("Coopérative de {village}"),
                "--village",
                village,
                "--commune",
                village,
                "--cercle",
                "Ségou",
                "--region",
                "Ségou",
            ],
        );
        ok(
            &store,
            &[
                "warehouse",
                "add",
                "--cooperative",
                code,
                "--name",
                &format!("Magasin de {village}"),
            ],
        );
    }
    let window = format!(
        "{}..{}",
        iso(today() - Days::new(60)),
        iso(today() + Days::new(60))
    );
    ok(
        &store,
        &[
            "campaign",
            "add",
            "--name",
            CAMP,
            "--price",
            "paddy_rice=200",
            "--contracts",
            &window,
            "--deliveries",
            &window,
        ],
    );
    for (number, name, phone) in [
        ("DIO-0001", "Awa Traoré", "+22376000001"),
        ("DIO-0002", "Fanta Keïta", "+22376000002"),
    ] {
        ok(
            &store,
            &[
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
                "--birth-year",
                "1980",
                "--village",
                "Diono",
                "--phone",
                phone,
                "--family",
                "riz",
            ],
        );
    }
    (dir, store)
}

fn member(store: &Path, number: &str) -> Value {
    json(store, &["member", "show", number])["member"].clone()
}

#[test]
fn a_phone_corrected_with_a_reason_shows_in_the_history() {
    let (_dir, store) = setup();
    let fix = [
        "member",
        "correct",
        "DIO-0001",
        "--phone",
        "76 11 11 11",
        "--reason",
        "numéro changé",
    ];
    let out = ok(&store, &fix);
    assert!(
        out.contains("Fiche corrigée : DIO-0001 Awa Traoré (DIO)"),
        "{out}"
    );
    assert!(
        out.contains("téléphone : +22376000001 → +22376111111"),
        "{out}"
    );
    assert!(out.contains("motif : numéro changé"), "{out}");
    assert_eq!(member(&store, "DIO-0001")["phone"], "+22376111111");
    // only the phone changed
    assert_eq!(member(&store, "DIO-0001")["village"], "Diono");

    // a second correction in JSON: the birth year and crops, by number in the cooperative
    let c = json(
        &store,
        &[
            "member",
            "correct",
            "DIO-0001",
            "--cooperative",
            "DIO",
            "--birth-year",
            "1979",
            "--family",
            "riz,échalote",
            "--reason",
            "carte d'identité vue",
        ],
    );
    assert_eq!(c["change"]["action"], "correct");
    assert_eq!(
        c["change"]["changes"]["birth_year"],
        serde_json::json!(["1980", "1979"])
    );
    assert_eq!(
        c["change"]["changes"]["crops"],
        serde_json::json!(["rice", "rice,shallot"])
    );
    assert!(c["change"]["changes"].get("phone").is_none());
    assert_eq!(c["member"]["birth_year"], 1979);

    // the history: both changes, oldest first, each with who and on which device
    let h = json(&store, &["member", "history", "DIO-0001"]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(
        h[0]["change"]["changes"]["phone"],
        serde_json::json!(["+22376000001", "+22376111111"])
    );
    assert_eq!(h[0]["change"]["reason"], "numéro changé");
    assert_eq!(h[0]["agent"], "Awa Secrétariat");
    assert_eq!(h[0]["device"], "Portable 1");
    assert_eq!(h[1]["change"]["reason"], "carte d'identité vue");
    let out = ok(&store, &["member", "history", "DIO-0001"]);
    let stamp = Utc::now().format("%d/%m/%Y").to_string();
    assert!(
        out.contains(&format!("{stamp} "))
            && out.contains("— correction — par Awa Secrétariat sur Portable 1"),
        "{out}"
    );
    assert!(
        out.contains("    téléphone : +22376000001 → +22376111111"),
        "{out}"
    );
    assert!(out.contains("    motif : numéro changé"), "{out}");
    assert!(
        out.contains("    année de naissance : 1980 → 1979"),
        "{out}"
    );
    assert!(out.contains("    filières : riz → riz, échalote"), "{out}");
    let en = ok(&store, &["--lang", "en", "member", "history", "DIO-0001"]);
    assert!(
        en.contains("    phone: +22376000001 → +22376111111"),
        "{en}"
    );
    assert!(en.contains("    reason: numéro changé"), "{en}");
    assert!(en.contains("by Awa Secrétariat on Portable 1"), "{en}");

    // the phone cleared: --no-phone, or an empty --phone
    let c = json(
        &store,
        &[
            "member",
            "correct",
            "DIO-0001",
            "--no-phone",
            "--reason",
            "plus de téléphone",
        ],
    );
    assert_eq!(
        c["change"]["changes"]["phone"],
        serde_json::json!(["+22376111111", null])
    );
    assert_eq!(member(&store, "DIO-0001")["phone"], Value::Null);
    let c = json(
        &store,
        &[
            "member",
            "correct",
            "DIO-0002",
            "--phone",
            "",
            "--reason",
            "plus de téléphone",
        ],
    );
    assert_eq!(c["member"]["phone"], Value::Null);
    // the same value again: nothing to correct
    let e = refused(
        &store,
        &[
            "member", "correct", "DIO-0002", "--phone", "", "--reason", "encore",
        ],
    );
    assert_eq!(e["code"], "nothing_to_correct");
    assert!(
        e["message"].as_str().unwrap().contains("rien à corriger"),
        "{e}"
    );
}

#[test]
fn a_bad_phone_or_a_missing_reason_is_refused_and_changes_nothing() {
    let (_dir, store) = setup();
    let bad = [
        "member",
        "correct",
        "DIO-0001",
        "--phone",
        "1234",
        "--reason",
        "nouveau numéro",
    ];
    let err = fails(&store, &bad);
    assert!(
        err.contains("erreur : téléphone « 1234 » invalide : attendu +223 suivi de 8 chiffres"),
        "{err}"
    );
    let en = [&["--lang", "en"][..], &bad[..]].concat();
    let err = fails(&store, &en);
    assert!(
        err.contains("error: invalid phone \"1234\": expected +223 followed by 8 digits"),
        "{err}"
    );
    assert_eq!(refused(&store, &bad)["code"], "invalid_value");

    // no reason: refused before anything is written, in both languages
    let no_reason = ["member", "correct", "DIO-0001", "--phone", "76111111"];
    let err = fails(&store, &no_reason);
    assert!(
        err.contains("erreur : --reason : donnez le motif du changement (obligatoire"),
        "{err}"
    );
    let err = fails(&store, &[&["--lang", "en"][..], &no_reason[..]].concat());
    assert!(
        err.contains("error: --reason: give the reason for the change (required"),
        "{err}"
    );
    assert_eq!(refused(&store, &no_reason)["code"], "invalid_argument");
    // a blank reason is no reason
    let e = refused(
        &store,
        &[
            "member", "correct", "DIO-0001", "--phone", "76111111", "--reason", "  ",
        ],
    );
    assert_eq!(e["code"], "invalid_value");
    assert!(e["message"].as_str().unwrap().contains("motif"), "{e}");
    // nothing named to correct
    let e = refused(
        &store,
        &["member", "correct", "DIO-0001", "--reason", "rien"],
    );
    assert_eq!(e["code"], "invalid_argument");
    assert!(e["message"].as_str().unwrap().contains("--phone"), "{e}");
    // a number taken in the cooperative
    let e = refused(
        &store,
        &[
            "member", "correct", "DIO-0001", "--number", "DIO-0002", "--reason", "erreur",
        ],
    );
    assert_eq!(e["code"], "duplicate_member_number", "{e}");

    assert_eq!(member(&store, "DIO-0001")["phone"], "+22376000001");
    assert_eq!(member(&store, "DIO-0001")["number"], "DIO-0001");
    assert!(json(&store, &["member", "history", "DIO-0001"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_member_gone_gets_no_contract_and_comes_back_when_reinstated() {
    let (_dir, store) = setup();
    let t = iso(today());
    let request = [
        "contract",
        "request",
        "--member",
        "DIO-0001",
        "--campaign",
        CAMP,
        "--kg",
        "500",
        "--date",
        &t,
    ];
    // dated before her registration (today): refused
    let yesterday = iso(today() - Days::new(1));
    let before = [
        "member",
        "depart",
        "DIO-0001",
        "--status",
        "parti",
        "--date",
        &yesterday,
        "--reason",
        "a quitté le village",
    ];
    let e = refused(&store, &before);
    assert_eq!(e["code"], "registry_refused");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("est avant l'inscription du"),
        "{e}"
    );
    let err = fails(&store, &[&["--lang", "en"][..], &before[..]].concat());
    assert!(err.contains("error: the departure date"), "{err}");
    assert_eq!(member(&store, "DIO-0001")["status"], "active");
    // an unknown kind of departure
    let e = refused(
        &store,
        &[
            "member",
            "depart",
            "DIO-0001",
            "--status",
            "parti-loin",
            "--reason",
            "x",
        ],
    );
    assert_eq!(e["code"], "invalid_value");
    let e = refused(
        &store,
        &[
            "member",
            "depart",
            "DIO-0001",
            "--status",
            "transférée",
            "--reason",
            "x",
        ],
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("sene member transfer"),
        "{e}"
    );

    // deceased today: her card says so, no new contract
    let out = ok(
        &store,
        &[
            "member",
            "depart",
            "DIO-0001",
            "--status",
            "décédée",
            "--date",
            &t,
            "--reason",
            "décès signalé par la famille",
        ],
    );
    assert!(
        out.contains("Départ enregistré : DIO-0001 Awa Traoré (DIO) — décédé à compter du"),
        "{out}"
    );
    let m = member(&store, "DIO-0001");
    assert_eq!(m["status"], "deceased");
    assert_eq!(m["left_on"], t.as_str());
    let err = fails(&store, &request);
    assert!(
        err.contains("Awa Traoré (DIO-0001) n'est plus membre : décédé depuis le"),
        "{err}"
    );
    let err = fails(&store, &[&["--lang", "en"][..], &request[..]].concat());
    assert!(
        err.contains("is no longer a member: deceased since"),
        "{err}"
    );
    // a second departure is refused
    let e = refused(
        &store,
        &["member", "depart", "DIO-0001", "--reason", "encore"],
    );
    assert_eq!(e["code"], "registry_refused");

    // recorded in error: reinstated, then a contract is taken
    let r = json(
        &store,
        &[
            "member",
            "reinstate",
            "DIO-0001",
            "--reason",
            "erreur de fiche : c'était sa mère",
        ],
    );
    assert_eq!(r["action"], "reinstate");
    assert_eq!(member(&store, "DIO-0001")["status"], "active");
    let k = json(&store, &request);
    assert_eq!(k["state"], "requested");
    let h = json(&store, &["member", "history", "DIO-0001"]);
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["change"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["depart", "reinstate"]);
    let out = ok(&store, &["member", "history", "DIO-0001"]);
    assert!(out.contains("statut : décédé → actif"), "{out}");
    assert!(out.contains("— départ à compter du"), "{out}");

    // with an open contract, no transfer
    let e = refused(
        &store,
        &[
            "member",
            "transfer",
            "DIO-0001",
            "--to-cooperative",
            "KON",
            "--new-number",
            "KON-0100",
            "--reason",
            "mariage",
        ],
    );
    assert_eq!(e["code"], "registry_refused");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("contrat(s) en cours"),
        "{e}"
    );
}

#[test]
fn a_transfer_makes_a_new_card_in_the_other_cooperative() {
    let (_dir, store) = setup();
    let transfer = |to: &str| {
        [
            "member",
            "transfer",
            "DIO-0002",
            "--to-cooperative",
            to,
            "--new-number",
            "KON-0100",
            "--reason",
            "mariage à Konodimini",
        ]
        .map(str::to_owned)
    };
    let unknown = transfer("XYZ");
    let unknown: Vec<&str> = unknown.iter().map(String::as_str).collect();
    let e = refused(&store, &unknown);
    assert_eq!(e["code"], "not_found");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("coopérative introuvable : XYZ"),
        "{e}"
    );
    let err = fails(&store, &[&["--lang", "en"][..], &unknown[..]].concat());
    assert!(err.contains("error: cooperative not found: XYZ"), "{err}");
    assert_eq!(member(&store, "DIO-0002")["status"], "active");

    let good = transfer("KON");
    let good: Vec<&str> = good.iter().map(String::as_str).collect();
    let out = ok(&store, &good);
    assert!(
        out.contains("Fanta Keïta transféré(e) le")
            && out.contains(": DIO-0002 (DIO) → KON-0100 (KON)"),
        "{out}"
    );
    let old = json(
        &store,
        &["member", "show", "DIO-0002", "--cooperative", "DIO"],
    );
    let new = json(
        &store,
        &["member", "show", "KON-0100", "--cooperative", "KON"],
    );
    assert_eq!(old["member"]["status"], "transferred");
    assert_eq!(old["member"]["moved_to"], new["member"]["id"]);
    assert_eq!(new["member"]["moved_from"], old["member"]["id"]);
    assert_eq!(new["member"]["status"], "active");
    assert_eq!(new["member"]["full_name"], "Fanta Keïta");
    assert_eq!(new["cooperative"]["code"], "KON");
    // her new card's history keeps the old one's
    let h = json(&store, &["member", "history", "KON-0100"]);
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["change"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 2, "{h}");
    assert!(actions.contains(&"transfer_out") && actions.contains(&"transfer_in"));
    let out = ok(&store, &["member", "history", "KON-0100"]);
    assert!(
        out.contains("coopérative : Coopérative de Diono → Coopérative de Konodimini"),
        "{out}"
    );
    assert!(out.contains("numéro : DIO-0002 → KON-0100"), "{out}");
}

#[test]
fn a_warehouse_closed_and_an_agent_corrected() {
    let (_dir, store) = setup();
    let t = iso(today());
    let c = json(
        &store,
        &[
            "warehouse",
            "correct",
            "DIO/Magasin de Diono",
            "--capacity",
            "50000",
            "--reason",
            "mesuré",
        ],
    );
    assert_eq!(
        c["changes"]["capacity_t"],
        serde_json::json!([null, "500000"])
    );
    let out = ok(
        &store,
        &[
            "warehouse",
            "close",
            "Magasin de Diono",
            "--date",
            &t,
            "--reason",
            "toit effondré",
        ],
    );
    assert!(
        out.contains("Magasin « Magasin de Diono » fermé à compter du"),
        "{out}"
    );
    // no delivery into it from today
    let k = json(
        &store,
        &[
            "contract",
            "request",
            "--member",
            "DIO-0001",
            "--campaign",
            CAMP,
            "--kg",
            "500",
            "--date",
            &t,
        ],
    );
    let k = k["id"].as_str().unwrap().to_owned();
    json(
        &store,
        &[
            "agent",
            "add",
            "--name",
            "Bakary Comité",
            "--role",
            "ctc",
            "--cooperative",
            "DIO",
        ],
    );
    json(
        &store,
        &[
            "--agent",
            "Bakary Comité",
            "contract",
            "approve",
            &k,
            "--date",
            &t,
        ],
    );
    let err = fails(
        &store,
        &[
            "delivery",
            "add",
            "--contract",
            &k,
            "--warehouse",
            "Magasin de Diono",
            "--bags",
            "5",
            "--gross",
            "250",
            "--moisture",
            "14",
            "--impurity",
            "1",
            "--date",
            &t,
        ],
    );
    assert!(err.contains("est fermé depuis le"), "{err}");

    let c = json(
        &store,
        &[
            "agent",
            "correct",
            "Bakary Comité",
            "--phone",
            "76 22 22 22",
            "--reason",
            "nouveau numéro",
        ],
    );
    assert_eq!(
        c["changes"]["phone"],
        serde_json::json!([null, "+22376222222"])
    );
    let e = refused(
        &store,
        &["agent", "left", "Awa Secrétariat", "--reason", "départ"],
    );
    assert_eq!(e["code"], "registry_refused");
    let c = json(
        &store,
        &[
            "cooperative",
            "correct",
            "KON",
            "--name",
            "Coopérative de Konodimini-Est",
            "--reason",
            "nom officiel",
        ],
    );
    assert_eq!(
        c["changes"]["name"],
        serde_json::json!(["Coopérative de Konodimini", "Coopérative de Konodimini-Est"])
    );
}
