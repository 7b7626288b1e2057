//! `sene backup`, `sene backup verify`, `sene restore` on the demo union, through the binary:
//! a copy verified, a damaged copy refused, the copy put back in place of a store (the old one
//! moved aside, not deleted), with a new sync generation.
#![allow(clippy::unwrap_used)]

use crate::common::{json, sene, serve};

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
    let members_before = json(&store, &["table", "members"])
        .as_array()
        .unwrap()
        .len();
    let restored = json(&store, &["restore", &file]);
    assert_eq!(restored["generation"], 1);
    let aside = restored["moved_aside"].as_str().unwrap();
    assert!(
        std::path::Path::new(aside).exists(),
        "the old store is kept"
    );
    assert!(restored["first_receipt"]
        .as_str()
        .unwrap()
        .contains("-1-000001"));
    // the same backup put back a second time: the store moved aside was the first restore,
    // so the receipts go on in yet another series, never the first restore's again
    let twice = json(&store, &["restore", &file]);
    assert_eq!(twice["generation"], 2);
    assert!(twice["first_receipt"]
        .as_str()
        .unwrap()
        .contains("-2-000001"));
    let members_after = json(&store, &["table", "members"])
        .as_array()
        .unwrap()
        .len();
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

/// `sene hub serve`, with its defaults: the hub backs its store up as soon as it listens, into
/// `sauvegardes` beside it; a secretariat laptop enrolled as the office's standby
/// (`sene standby`) keeps that backup; the backup verifies and restores on "another machine"
/// (another folder), while the hub serves.
#[test]
fn the_hub_backs_up_on_its_schedule_and_the_backup_restores_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bureau.sqlite");
    json(&store, &["demo"]);
    let backups = dir.path().join("sauvegardes");
    let (hub, url) = serve(&store, &[]);
    let mut found = None;
    for _ in 0..600 {
        if let Ok(entries) = std::fs::read_dir(&backups) {
            found = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(".manifest.json"));
        }
        if found.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let manifest = found.expect("no backup written by the hub's schedule");
    let file = manifest.to_string_lossy().replace(".manifest.json", "");
    let ok = json(&store, &["backup", "verify", &file]);
    assert_eq!(ok["ok"], true);
    // a restore while the hub serves the same store is refused
    let o = sene(&store, &["restore", &file]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("servie par le bureau"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // the accountant's laptop, a secretariat device, keeps the office's copy
    let (laptop, device) = enrolled(
        &store,
        &dir.path().join("comptable.sqlite"),
        &url,
        ("Portable du comptable", "SEC2"),
        &["--for", "Oumar Sidibé"],
    );
    let copies = dir.path().join("copies-du-bureau");
    // a period under a minute is refused, naming the option, in French and in English
    let o = sene(&laptop, &["standby", "--every", "10s", "--dir", "x"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--every : période « 10s »"), "{err}");
    let o = sene(
        &laptop,
        &["--lang", "en", "standby", "--every", "10s", "--dir", "x"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--every: period \"10s\" unreadable"), "{err}");
    assert!(!dir.path().join("x").exists());
    let pulled = json(
        &laptop,
        &["standby", "--once", "--dir", copies.to_str().unwrap()],
    );
    assert!(pulled["downloaded"].as_u64().unwrap() > 0, "{pulled}");
    let copy = pulled["file"].as_str().unwrap().to_owned();
    assert_eq!(json(&laptop, &["backup", "verify", &copy])["ok"], true);
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backups.join("machine-de-secours.json")).unwrap())
            .unwrap();
    assert_eq!(status["device"], device.as_str());
    // a field agent's laptop cannot take it
    let (agent_laptop, _) = enrolled(
        &store,
        &dir.path().join("terrain.sqlite"),
        &url,
        ("Terrain", "TRN9"),
        &["--for", "Bakary Diarra", "--cooperative", "DIO"],
    );
    let o = sene(
        &agent_laptop,
        &[
            "standby",
            "--once",
            "--dir",
            dir.path().join("vol").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("secrétariat"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    drop(hub);
    // on another machine
    let elsewhere = dir.path().join("autre-machine").join("bureau.sqlite");
    let restored = json(&elsewhere, &["restore", &file]);
    assert_eq!(restored["generation"], 1);
    assert!(restored["moved_aside"].is_null());
    let members = json(&elsewhere, &["table", "members"]);
    assert_eq!(
        members.as_array().unwrap().len(),
        json(&store, &["table", "members"])
            .as_array()
            .unwrap()
            .len()
    );
}

/// A device added at the office, paired (`pair`: who uses it, its cooperatives) and enrolled
/// from a new store at `laptop`: the store and the device's id.
fn enrolled(
    office: &std::path::Path,
    laptop: &std::path::Path,
    url: &str,
    (label, prefix): (&str, &str),
    pair: &[&str],
) -> (std::path::PathBuf, String) {
    let device = json(
        office,
        &["device", "add", "--label", label, "--prefix", prefix],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut args = vec!["hub", "pair", "--device", &device];
    args.extend_from_slice(pair);
    let code = json(office, &args)["code"].as_str().unwrap().to_owned();
    json(
        laptop,
        &[
            "enroll",
            "--hub",
            url,
            "--device",
            &device,
            "--pairing-code",
            &code,
        ],
    );
    (laptop.to_path_buf(), device)
}

/// A store copied by hand (its file copied to another place, then used there) takes a new sync
/// identity and receipt series the first time the CLI opens it, and says so in the session's
/// language; the original in its own file, and the copy once done, open as they are.
#[test]
fn a_store_copied_by_hand_takes_a_new_identity_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let quiet = |s: &std::path::Path| {
        let o = sene(s, &["member", "list"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stderr).unwrap()
    };
    assert!(!quiet(&store).contains("copiée à la main"));
    let key = dir.path().join("cle");
    std::fs::create_dir_all(&key).unwrap();
    let copy = key.join("sene.sqlite");
    std::fs::copy(&store, &copy).unwrap();
    let o = sene(&copy, &["member", "list"]);
    assert!(o.status.success());
    let said = String::from_utf8(o.stderr).unwrap();
    assert!(said.contains("copiée à la main"), "{said}");
    assert!(said.contains("génération 1"), "{said}");
    assert!(said.contains("-1-000001"), "the new series: {said}");
    // once
    assert!(!quiet(&copy).contains("copiée à la main"));
    assert!(!quiet(&store).contains("copiée à la main"));
    // in English
    let copy2 = key.join("deux.sqlite");
    std::fs::copy(&store, &copy2).unwrap();
    let o = sene(&copy2, &["--lang", "en", "member", "list"]);
    let said = String::from_utf8(o.stderr).unwrap();
    assert!(said.contains("copied by hand"), "{said}");
}
