//! « À propos » in the real window (issue #22, item 2): at 1366×768, the Appareil screen shows
//! Sene's version, the store schema this build writes and the commit it was built from, in
//! French and in English; the figures are this build's own (the workspace's version, the last
//! migration of `sene-store`, the commit `build.rs` read, which the repository holds). The
//! `about` command answers at the gate too, before anyone signed in.
//!
//! Screenshots in `target/e2e-screenshots-about/` (or `SENE_E2E_ABOUT_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use webdriver::{Driver, Window};

const PASS: &str = "karité de Koutiala 3";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_ABOUT_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-about"),
        PathBuf::from,
    )
}

/// The three figures of the « À propos » card once Rust answered: (version, schema, commit).
fn figures(w: &Window) -> (String, String, String) {
    w.wait("#about dl[aria-busy='false']");
    let text = |css: &str| w.text(&w.wait(css)).trim().to_owned();
    (
        text("#about-version"),
        text("#about-schema"),
        text("#about-commit"),
    )
}

/// The card brought into view, whole, with nothing wider than the page.
fn card_in_view(w: &Window) {
    let fits = w.script(
        "const a = document.getElementById('about');
         a.scrollIntoView({ block: 'end' });
         const r = a.getBoundingClientRect();
         return [r.left >= 0, r.right <= window.innerWidth, r.top >= 0,
                 r.bottom <= window.innerHeight + 1,
                 document.documentElement.scrollWidth <= window.innerWidth];",
        &[],
    );
    assert_eq!(
        fits,
        serde_json::json!([true, true, true, true, true]),
        "the card fits the page (left, right, top, bottom, no horizontal scroll)"
    );
}

#[test]
fn about_shows_the_version_the_schema_and_the_commit() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2027-01-15T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.resize_page(1366, 768);

    // what this build is: its version, the last migration, the commit build.rs read
    let version = env!("CARGO_PKG_VERSION");
    let schema = sene_store::MIGRATIONS
        .last()
        .expect("migrations")
        .version
        .to_string();
    let commit = env!("SENE_COMMIT");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if repo.join(".git").exists() {
        // built from a clone: the commit is one the repository holds
        assert!(
            commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "commit {commit:?}"
        );
        let known = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
            .status()
            .is_ok_and(|s| s.success());
        assert!(known, "the repository holds commit {commit}");
    }

    // at the gate, before anyone signed in, the command answers
    let gate = w.invoke("about", None);
    assert_eq!(gate["version"], version, "{gate}");
    assert_eq!(gate["schema_version"].to_string(), schema, "{gate}");

    w.first_start("Bureau", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-device");

    // ---- in French ----
    w.click_on("#nav-device");
    w.wait("#device-title");
    let title = w.text(&w.wait("#about-title"));
    assert_eq!(title.trim(), "À propos");
    let (v, s, c) = figures(&w);
    assert_eq!(v, version);
    assert_eq!(s, schema);
    assert_eq!(c, if commit.is_empty() { "inconnu" } else { commit });
    let about = w.text(&w.wait("#about"));
    assert!(about.contains("Version du schéma de la base"), "{about}");
    assert!(about.contains("Compilation (commit)"), "{about}");
    card_in_view(&w);
    w.shot("fr-a-propos");

    // ---- in English ----
    w.click_on("#lang-en");
    w.wait_text("#about-title", "About");
    let (v, s, c) = figures(&w);
    assert_eq!(v, version);
    assert_eq!(s, schema);
    assert_eq!(c, if commit.is_empty() { "unknown" } else { commit });
    let about = w.text(&w.wait("#about"));
    assert!(about.contains("Store schema version"), "{about}");
    assert!(about.contains("Build (commit)"), "{about}");
    card_in_view(&w);
    w.shot("en-about");
}
