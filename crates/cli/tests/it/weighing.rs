//! `sene delivery add` with a weight typed by hand (#21 item 2): the reason given with
//! `--hand-reason` (and `--hand-note`) is kept in the delivery as its weighing evidence; an
//! unknown reason, and « other » without its note, are refused in French and English and
//! record nothing; a note without a reason is refused by the argument parser.
#![allow(clippy::unwrap_used)]

use crate::common::{json, sene};

#[test]
fn a_hand_weight_keeps_its_reason_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let contracts = json(&store, &["contract", "list"]);
    let contract = contracts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["member_number"].as_str().unwrap().starts_with("DIO-")
                && c["contract"]["state"] == "delivering"
        })
        .expect("a contract of Dioro being delivered")["contract"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let add = |extra: &[&str]| {
        let mut a = vec![
            "delivery",
            "add",
            "--contract",
            &contract,
            "--warehouse",
            "Magasin de Dioro",
            "--bags",
            "2",
            "--gross",
            "101",
            "--moisture",
            "12",
            "--impurity",
            "1",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let count = || {
        json(&store, &["delivery", "list"])
            .as_array()
            .unwrap()
            .len()
    };
    let before = count();

    let args = add(&[
        "--hand-reason",
        "scale_broken",
        "--hand-note",
        "câble arraché",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let d = json(&store, &args);
    assert_eq!(d["weighing"]["method"], "hand", "{d}");
    assert_eq!(d["weighing"]["reason"], "scale_broken");
    assert_eq!(d["weighing"]["note"], "câble arraché");
    assert_eq!(count(), before + 1);

    // an unknown reason: refused, the reasons listed, nothing recorded
    let args = add(&["--hand-reason", "balance"]);
    let mut fr: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = sene(&store, &fr);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("motif inconnu « balance »"), "{err}");
    assert!(err.contains("scale_broken (balance en panne)"), "{err}");
    fr.splice(0..0, ["--lang", "en"]);
    let o = sene(&store, &fr);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown reason \"balance\""), "{err}");
    assert!(err.contains("scale_broken (scale broken)"), "{err}");

    // « other » needs its note
    let args = add(&["--hand-reason", "other"]);
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = sene(&store, &a);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("motif de la saisie à la main"), "{err}");
    a.splice(0..0, ["--lang", "en"]);
    let o = sene(&store, &a);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("this field is required"), "{err}");

    // a note with no reason: the parser refuses it
    let args = add(&["--hand-note", "x"]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = sene(&store, &a);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(count(), before + 1, "nothing refused was recorded");
}
