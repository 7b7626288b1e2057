//! `sene member cards` and `sene member scan` (#21 item 4), run for real: the sheet written
//! for a cooperative of the demo holds each active member's number and code; a code read back
//! names its member; one character changed, or another union's card, is refused in French and
//! English with a failing exit status.
#![allow(clippy::unwrap_used)]

use crate::common::{json, sene};

#[test]
fn cards_are_written_and_their_codes_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let out = dir.path().join("cartes.pdf");
    let v = json(
        &store,
        &[
            "members",
            "cards",
            "--cooperative",
            "DIO",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let n = v["cards"].as_u64().unwrap();
    assert!(n >= 10, "{v}");
    assert_eq!(v["pages"].as_u64().unwrap(), n.div_ceil(10));
    let pdf = String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned();
    assert!(pdf.starts_with("%PDF-1.4"));
    let codes: Vec<&str> = pdf
        .match_indices("(SENE1:")
        .map(|(i, _)| &pdf[i + 1..i + 1 + pdf[i..].find(')').unwrap() - 1])
        .collect();
    assert_eq!(codes.len() as u64, n, "one code per card");
    assert_eq!(
        pdf.matches("q 0 g").count() as u64,
        n,
        "one QR code per card"
    );

    // each code names its member
    let members = json(&store, &["member", "list", "--cooperative", "DIO"]);
    let first = &members.as_array().unwrap()[0];
    let v = json(&store, &["member", "scan", codes[0]]);
    assert_eq!(v["kind"], "member");
    assert_eq!(v["member"]["id"], first["id"], "{v}");
    // as a reader with the caps lock off types it
    let v = json(&store, &["member", "scan", &codes[0].to_lowercase()]);
    assert_eq!(v["member"]["id"], first["id"]);

    // one character changed: refused, in both languages
    let code = codes[0];
    let last = if code.ends_with('0') { "1" } else { "0" };
    let damaged = format!("{}{last}", &code[..code.len() - 1]);
    let o = sene(&store, &["member", "scan", &damaged]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("code abîmé"), "{err}");
    let o = sene(&store, &["--lang", "en", "member", "scan", &damaged]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged or misread"));
    // another union's card
    let mut parts: Vec<&str> = code.split(':').collect();
    parts[1] = "0000AAAA";
    let foreign = parts.join(":");
    let o = sene(&store, &["member", "scan", &foreign]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("autre union"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
