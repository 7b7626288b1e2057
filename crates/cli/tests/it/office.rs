//! `sene anomalies`, `sene stock`, `sene cash` on the demo union: list the queue, count a
//! warehouse off and on its book stock, resolve an anomaly with a reason, hand cash back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use crate::common::{json, sene};
use serde_json::Value;

/// The error of a refused command: exit 1 and `{"error": {code, message}}`.
fn refused(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let o = sene(store, &a);
    assert_eq!(o.status.code(), Some(1), "sene {args:?} was not refused");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["error"].clone()
}

const CAMP: &str = "Riz 2026/27";

fn count<'a>(wh: &'a str, kg: &'a str, date: &'a str) -> [&'a str; 10] {
    [
        "stock",
        "count",
        "--warehouse",
        wh,
        "--campaign",
        CAMP,
        "--kg",
        kg,
        "--date",
        date,
    ]
}

fn resolve<'a>(key: &'a str, note: &'a str) -> [&'a str; 7] {
    [
        "anomalies",
        "resolve",
        key,
        "--campaign",
        CAMP,
        "--note",
        note,
    ]
}

fn mismatches(store: &Path, wh: &str) -> Vec<Value> {
    json(store, &["anomalies", "list", "--campaign", CAMP])
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"]["kind"] == "stock_count_mismatch" && a["kind"]["warehouse_id"] == wh)
        .cloned()
        .collect()
}

#[test]
fn count_resolve_and_return_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    // a count the book cannot match (0,1 kg) shows the book: the first warehouse with stock
    // today (the demo's deliveries run through the season)
    let date = json(&store, &["audit", "--limit", "1"])[0]["at"]
        .as_str()
        .unwrap()[..10]
        .to_owned();
    let mut found = None;
    for w in json(&store, &["warehouse", "list"]).as_array().unwrap() {
        let wh = w["id"].as_str().unwrap().to_owned();
        let n = json(&store, &count(&wh, "0,1", &date));
        assert_eq!(n["counted"], "0.1");
        let m = mismatches(&store, &wh);
        let book: f64 = m.first().map_or(0.0, |a| {
            a["kind"]["book"].as_str().unwrap().parse().unwrap()
        });
        if book >= 2.0 {
            found = Some((wh, m));
            break;
        }
    }
    let (wh, m) = found.expect("a warehouse with stock");
    let date = date.as_str();
    let book = m[0]["kind"]["book"].as_str().unwrap().to_owned();
    let book_kg: f64 = book.parse().unwrap();
    json(
        &store,
        &[&count(&wh, &book, date)[..], &["--note", "au livre"]].concat(),
    );
    assert!(mismatches(&store, &wh).is_empty());
    let off = format!("{:.1}", book_kg - 1.0);
    json(&store, &count(&wh, &off, date));
    let m = mismatches(&store, &wh);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["kind"]["difference"], "-1.0");
    let counts = json(&store, &["stock", "list", "--campaign", CAMP]);
    let of_wh = counts
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["warehouse_id"] == wh.as_str())
        .count();
    assert_eq!(of_wh, 3);

    // resolve it: gone from the list, in the log; twice is refused
    let key = m[0]["key"].as_str().unwrap().to_owned();
    let e = refused(&store, &resolve(&key, " "));
    assert_eq!(e["code"], "invalid_value");
    let r = json(&store, &resolve(&key, "1 kg de freinte"));
    assert_eq!(r["kind"], "stock_count_mismatch");
    assert!(mismatches(&store, &wh).is_empty());
    let log = json(&store, &["anomalies", "log", "--campaign", CAMP]);
    assert_eq!(log[0]["key"], key.as_str());
    assert_eq!(log[0]["note"], "1 kg de freinte");
    let e = refused(&store, &resolve(&key, "encore"));
    assert_eq!(e["code"], "mismatch");
    // a field agent may not resolve
    let other = json(&store, &["anomalies", "list", "--campaign", CAMP])[0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = refused(
        &store,
        &[&["--agent", "Bakary Diarra"][..], &resolve(&other, "vu")].concat(),
    );
    assert_eq!(e["code"], "forbidden");

    // cash handed back by a field agent, received by this store's secretariat
    let before = json(
        &store,
        &[
            "--agent",
            "Bakary Diarra",
            "report",
            "cash",
            "--campaign",
            CAMP,
        ],
    );
    let p0 = &before["campaigns"][0]["position"];
    let r = json(
        &store,
        &[
            "cash",
            "return",
            "--from",
            "Bakary Diarra",
            "--campaign",
            CAMP,
            "--amount",
            "10 000",
            "--date",
            date,
            "--note",
            "compté : 10 000",
        ],
    );
    assert_eq!(r["cash_return"]["amount"], "10000");
    let francs = |v: &Value| v.as_str().unwrap().parse::<i64>().unwrap();
    assert_eq!(
        francs(&r["position"]["to_return"]),
        francs(&p0["to_return"]) - 10_000
    );
    assert_eq!(francs(&r["position"]["returned"]), 10_000);
    let list = json(&store, &["cash", "list", "--campaign", CAMP]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    for (args, code) in [
        (
            vec!["cash", "return", "--campaign", CAMP, "--amount", "5"],
            "invalid_argument",
        ),
        (
            vec![
                "cash",
                "return",
                "--from",
                "Bakary Diarra",
                "--campaign",
                CAMP,
                "--amount",
                "0",
            ],
            "invalid_value",
        ),
        (
            vec![
                "cash",
                "return",
                "--from",
                "Personne",
                "--campaign",
                CAMP,
                "--amount",
                "5",
            ],
            "not_found",
        ),
    ] {
        assert_eq!(refused(&store, &args)["code"], code, "{args:?}");
    }
    assert_eq!(
        refused(
            &store,
            &[
                "stock",
                "count",
                "--warehouse",
                &wh,
                "--campaign",
                CAMP,
                "--kg=-5"
            ]
        )["code"],
        "invalid_value"
    );
}

/// `sene anomalies list` tells each anomaly as the window does (`anomalies::tell`): its kind,
/// who and what by name, the evidence and what to do; in English with `--lang en`; never a
/// record's id.
#[test]
fn the_queue_is_told_in_words_in_french_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let queue = json(&store, &["anomalies", "list", "--campaign", CAMP]);
    let n = queue.as_array().unwrap().len();
    assert!(n > 0, "the demo has anomalies");
    let text = |lang: &str| {
        let o = sene(
            &store,
            &["--lang", lang, "anomalies", "list", "--campaign", CAMP],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let fr = text("fr");
    assert!(fr.contains("anomalie(s) ouverte(s)"), "{fr}");
    assert_eq!(fr.matches("À faire : ").count(), n, "{fr}");
    let en = text("en");
    assert!(en.contains("open anomal"), "{en}");
    assert_eq!(en.matches("What to do: ").count(), n, "{en}");
    // no record id anywhere but the anomaly's own key at the start of its line
    for out in [&fr, &en] {
        for line in out.lines().filter(|l| l.starts_with("      ")) {
            assert!(!line.split_whitespace().any(uuid_like), "an id in {line}");
        }
    }
    // each anomaly about a member names them as the registry does
    let names: Vec<String> = json(&store, &["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["full_name"].as_str().map(str::to_owned))
        .collect();
    let told: Vec<&str> = fr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("membre : "))
        .collect();
    assert!(!told.is_empty(), "{fr}");
    for t in told {
        assert!(
            names.iter().any(|n| t.starts_with(n.as_str())),
            "a member's name: {t}"
        );
    }
}

fn uuid_like(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
    w.len() == 36 && w.chars().filter(|c| *c == '-').count() == 4
}
