//! `sene backup`, `sene backup verify`, `sene restore` on the demo union, through the binary:
//! a copy verified, a damaged copy refused, the copy put back in place of a store (the old one
//! moved aside, not deleted), with a new sync generation.
#![allow(clippy::unwrap_used)]

mod common;

use common::{json, sene};

#[test]
fn the_office_backs_up_verifies_and_restores_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bureau.sqlite");
    json(&store, &["demo"]);
    let usb = dir.path().join("cle");
    let made = json(&store, &["backup", "--to", usb.to_str().unwrap()]);
    let file = made["file"].as_str().unwrap().to_owned();
    assert_eq!(made["manifest"]["generation"], 0);
    assert!(made["manifest"]["sha256"].as_str().unwrap().len() == 64);
    let ok = json(&store, &["backup", "verify", &file]);
    assert_eq!(ok["ok"], true);
    let listed = json(&store, &["backup", "list", usb.to_str().unwrap()]);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // the office keeps working, then its store is lost: the copy is put back in its place
    let members_before = json(&store, &["table", "members"]).as_array().unwrap().len();
    let restored = json(&store, &["restore", &file]);
    assert_eq!(restored["generation"], 1);
    let aside = restored["moved_aside"].as_str().unwrap();
    assert!(std::path::Path::new(aside).exists(), "the old store is kept");
    assert!(restored["first_receipt"].as_str().unwrap().contains("-1-000001"));
    let members_after = json(&store, &["table", "members"]).as_array().unwrap().len();
    assert_eq!(members_before, members_after);
    let check = sene(&store, &["check"]);
    assert!(check.status.success());

    // a damaged copy is refused, with the reason, and nothing is put in place
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let o = sene(&store, &["backup", "verify", &file]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("endommagée"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let other = dir.path().join("autre.sqlite");
    let o = sene(&other, &["restore", &file]);
    assert!(!o.status.success());
    assert!(!other.exists());
}
