//! The federation paired in the real window at 1366×768 (issue #23, item 1): on the demo union
//! (its store is the hub's), the secretary starts the office's server and, in the same form as
//! a laptop's, chooses « La fédération (lecture seule) »: no agent to choose, a line says what
//! it reads and that it writes nothing; the code is shown, the devices' table words its scope.
//! The federation (made through sene-api) enrolls with the code and receives every cooperative;
//! the table shows it enrolled. Revoked from the table, its next sync is refused. Again in
//! English. Screenshots in `target/e2e-screenshots-federation/` (or
//! `SENE_E2E_FEDERATION_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_FEDERATION_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-federation"),
        PathBuf::from,
    )
}

/// The devices' table's row of `device`.
fn row(device: &str) -> String {
    format!("#hub-devices tr[data-device=\"{device}\"]")
}

#[test]
fn the_secretary_pairs_the_federation_read_only_and_revokes_it() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, "fédération de Bamako 4");
    let size = w.script("return [window.innerWidth, window.innerHeight]", &[]);
    assert!(
        size[0].as_i64().unwrap_or(0) <= 1366,
        "a 1366×768 window: {size}"
    );

    // ---- the server started; the federation chosen in the pairing form ----
    w.click_on("#nav-sync");
    w.type_into("#hub-listen", "127.0.0.1:0");
    w.click_on("#hub-start");
    let urls = w.text(&w.wait("#hub-urls"));
    let url = urls
        .split_whitespace()
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("the hub's loopback address")
        .to_owned();
    assert!(
        w.find("#pair-federation-help").is_none(),
        "a laptop by default"
    );
    assert!(w.find("#pair-agent").is_some());
    w.select("#pair-kind", "true");
    let help = w.text(&w.wait("#pair-federation-help"));
    assert!(
        help.contains("lit tous les documents de l’union") && help.contains("n’en écrit aucun"),
        "{help}"
    );
    w.wait_gone("#pair-agent");
    let label = w.text(&w.wait("label[for=pair-label]"));
    assert!(label.contains("Nom de la fédération"), "{label}");
    w.type_into("#pair-label", "Fédération des unions du Mali");
    w.type_into("#pair-prefix", "FED");
    w.click_on("#pair-submit");
    let code = w.text(&w.wait("#pair-code")).trim().to_owned();
    let device = w.text(&w.wait_text("#pair-device", "-")).trim().to_owned();
    let done = w.text(&w.wait("#pair-result"));
    assert!(done.contains("À donner à la fédération"), "{done}");
    let r = row(&device);
    let scope = w.text(&w.wait_text(&format!("{r} td:nth-child(2)"), "Fédération"));
    assert!(
        scope.contains("Fédération : lit toute l’union, n’écrit rien"),
        "{scope}"
    );
    w.script(
        "document.getElementById('pair-result').scrollIntoView({block: 'end'}); return true",
        &[],
    );
    w.shot("federation-code");

    // ---- the federation enrolls with the code and receives every cooperative ----
    let fed_dir = tempfile::tempdir().expect("temp dir");
    let mut fed = sene_api::Session::new(
        sene_app::Ledger::open(&fed_dir.path().join("sene.sqlite")).expect("store"),
        fed_dir.path().join("receipts"),
    );
    let st = fed
        .enroll(
            &sene_api::EnrollRequest {
                hub_url: url,
                device_id: device.clone(),
                code,
            },
            &mut |_| {},
        )
        .expect("the federation enrolls with the office the window runs");
    assert!(!st.may_write, "the federation writes nothing");
    let office_coops = w.invoke("list_cooperatives", None);
    let n = office_coops.as_array().map_or(0, Vec::len);
    assert!(n > 1, "{office_coops}");
    assert_eq!(fed.cooperatives().expect("cooperatives").len(), n);
    w.click_on("#hub-devices-refresh");
    w.wait(&format!("{r}[data-state=\"enrolled\"]"));
    w.shot("federation-enrolled");

    // ---- revoked from the table: its next sync is refused ----
    w.click_on(&format!("{r} .revoke-device"));
    let confirm = w.text(&w.wait("#confirm-dialog"));
    assert!(
        confirm.contains("Fédération des unions du Mali"),
        "{confirm}"
    );
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait(&format!("{r}[data-state=\"revoked\"]"));
    let e = fed
        .sync_now(&mut |_| {})
        .expect_err("a revoked federation is refused");
    assert!(e.message.contains("révoqué"), "{e:?}");
    w.shot("federation-revoked");

    // ---- in English ----
    w.click_on("#lang-en");
    w.wait_text("#sync-title", "Sync");
    w.click_on("#hub-devices-refresh");
    w.wait_text(
        &format!("{r} td:nth-child(2)"),
        "Federation: reads the whole union, writes nothing",
    );
    w.select("#pair-kind", "true");
    let help = w.text(&w.wait("#pair-federation-help"));
    assert!(
        help.contains("reads every document of the union") && help.contains("writes none"),
        "{help}"
    );
    let label = w.text(&w.wait("label[for=pair-label]"));
    assert!(label.contains("Name of the federation"), "{label}");
    w.script(
        "document.getElementById('pair-kind').scrollIntoView({block: 'center'}); return true",
        &[],
    );
    w.shot("en-federation");
    w.click_on("#lang-fr");
    w.close();
    drop(driver);

    let mut names: Vec<String> = std::fs::read_dir(&shots)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "01-federation-code.png",
            "02-federation-enrolled.png",
            "03-federation-revoked.png",
            "04-en-federation.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
