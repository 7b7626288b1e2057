//! End to end in the real window: the built `sene-desktop` under Xvfb, driven through
//! tauri-driver and WebKitWebDriver. A field agent's day with the demo union: load the demo,
//! register a member (warned of a probable duplicate), request and approve a contract, pay the
//! advance and get its receipt, open the system print dialog for it, switch language; then, two
//! weeks later (the app restarted on a later date), record the delivery with its live preview and
//! receipt, see the balance and pay it. Screenshots of every step (and of the whole screen with the print
//! dialog) are written to `target/e2e-screenshots/` (or `SENE_E2E_SHOTS`).

use crate::webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use webdriver::{Driver, Window};

fn app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"))
}

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots"),
        PathBuf::from,
    )
}

/// Clicks "yes" if the confirmation dialog shows up (it must, for money records).
fn confirm(w: &Window) {
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
}

fn maybe_confirm(w: &Window) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        if w.find("#confirm-dialog").is_some() {
            confirm(w);
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// "150 000 FCFA" with whatever space the UI uses between groups.
/// X windows whose name matches `pattern` (xdotool's regex), by id.
fn x_windows(pattern: &str) -> Vec<String> {
    std::process::Command::new("xdotool")
        .args(["search", "--name", pattern])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Clicks the print button `button`, checks that the system print dialog opens over the window
/// (GTK's, titled "Imprimer" or "Print" by the system's language), keeps a screenshot of the
/// screen with it, and cancels it with Escape.
fn system_print_dialog(w: &mut Window, button: &str, shot: &str) {
    const TITLE: &str = "^(Imprimer|Print)$";
    assert!(
        x_windows(TITLE).is_empty(),
        "a print dialog is already open"
    );
    // the click goes through a timer: the dialog is modal and the command answers when it closes
    w.script(
        &format!("setTimeout(() => document.querySelector('{button}').click(), 0); return true"),
        &[],
    );
    let start = Instant::now();
    let dialog = loop {
        if let Some(id) = x_windows(TITLE).into_iter().next() {
            break id;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no print dialog 20 s after a click on {button}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_millis(500)); // drawn
    w.screen_shot(shot);
    let _ = std::process::Command::new("xdotool")
        .args(["windowfocus", "--sync", &dialog, "key", "Escape"])
        .status();
    let start = Instant::now();
    while !x_windows(TITLE).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the print dialog did not close on Escape"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect()
}

fn open_member(w: &Window, number: &str) {
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
}

/// The passphrase of the test's device.
const PASS: &str = "mil et sorgho 24";
/// The committee member's passphrase on the same laptop.
const CTC_PASS: &str = "oignon de Niono 7";

#[test]
fn a_field_agents_day_in_the_real_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    let app = app();

    // ---- day 1: 23 November, inside the shallot campaign's contract window ----
    let number = "T-0777";
    let (price, next) = {
        let driver = Driver::start(
            &[("SENE_STORE", store.as_path())],
            &[("SENE_CLOCK", "2026-11-23T09:00:00Z")],
        );
        let mut w = Window::open(&driver, &app, &shots, 1);
        // the store is encrypted from its first byte: a passphrase, then the recovery key
        w.wait("#gate #vault-create");
        w.shot("premier-lancement-phrase-secrete");
        w.type_into("#vault-label", "Awa");
        w.type_into("#vault-passphrase", "1234");
        w.type_into("#vault-confirm", "1234");
        w.click_on("#vault-create");
        w.wait("#gate .error");
        assert!(!store.exists(), "a refused passphrase creates no store");
        let key = w.first_start("Awa", PASS);
        assert_eq!(key.replace('-', "").len(), 56, "{key}");
        w.wait("#demo-load");
        w.shot("premier-lancement");
        w.click_on("#demo-load");
        w.wait("#nav-members");
        w.shot("union-de-demo-chargee");
        assert!(
            w.text(&w.wait("#signed-in-as")).contains("Awa"),
            "who is signed in is shown"
        );

        // locked: nothing answers but the door; a wrong passphrase opens nothing
        w.click_on("#lock-now");
        w.wait("#gate #signin-submit");
        let refused = w.try_invoke("app_status", None).expect_err("locked");
        assert_eq!(refused["code"], "locked", "{refused}");
        w.type_into("#signin-passphrase", "mil et sorgho 25");
        w.click_on("#signin-submit");
        w.wait("#gate .error");
        w.shot("verrouille-mauvaise-phrase");
        w.sign_in(PASS);
        w.wait("#nav-members");

        // ids and a demo member to look like, read through the app's own commands
        let status = w.invoke("app_status", None);
        let shallot = status["campaigns"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["family"] == "shallot"))
            .cloned()
            .expect("shallot campaign");
        let price: i64 = shallot["crops"][0]["base_price"]
            .as_str()
            .and_then(|p| p.parse().ok())
            .expect("shallot price");
        let coops = w.invoke("list_cooperatives", None);
        let coop = coops[0]["id"].as_str().expect("a cooperative").to_owned();
        let members = w.invoke(
            "search_members",
            Some(json!({ "query": "", "cooperative_id": coop })),
        );
        let twin = members
            .as_array()
            .and_then(|a| a.iter().find(|m| m["phone"].is_string()))
            .cloned()
            .expect("a demo member with a phone");

        // register a member who shares a phone with a registered one: warned first
        w.click_on("#nav-register");
        w.select("#reg-coop", &coop);
        w.type_into("#reg-number", number);
        w.type_into("#reg-name", "Awa Traoré");
        if w.find("#reg-sex").is_some() {
            let opts = w.options("#reg-sex");
            let f = opts
                .iter()
                .find(|o| o.eq_ignore_ascii_case("f"))
                .cloned()
                .unwrap_or_else(|| opts.last().cloned().unwrap_or_default());
            w.select("#reg-sex", &f);
        }
        w.type_into("#reg-birth-year", "1984");
        w.type_into("#reg-village", "Diado");
        w.type_into("#reg-phone", twin["phone"].as_str().unwrap_or_default());
        w.click_on("#reg-submit");
        let warning = w.wait("#dup-warning");
        let twin_name = twin["full_name"].as_str().unwrap_or_default();
        assert!(
            w.text(&warning).contains(twin_name),
            "the warning names the look-alike {twin_name}: {}",
            w.text(&warning)
        );
        w.shot("doublon-probable");
        w.click_on("#dup-confirm");
        w.wait("#saved");
        w.shot("membre-enregistre");

        // find her again the way an agent would: without the accent
        w.click_on("#nav-members");
        w.type_into("#member-search", "awa traore");
        let hit = w.wait_text(".member-result", number);
        w.click(&hit);
        w.wait_text("#member-card", number);

        // a contract of 1 000 kg of shallot, approved
        w.click_on("#contract-request");
        w.select(
            "#contract-campaign",
            shallot["id"].as_str().unwrap_or_default(),
        );
        if w.options("#contract-crop").iter().any(|o| o == "shallot") {
            w.select("#contract-crop", "shallot");
        }
        w.type_into("#contract-kg", "1000");
        w.click_on("#contract-submit");
        w.wait(".contract-row");
        w.shot("contrat-demande");
        // who requested it may not approve it: a second person must
        w.click_on(".contract-approve");
        maybe_confirm(&w);
        w.wait_text(".error", "seconde personne");
        w.shot("contrat-seconde-personne");
        assert!(w.find(".contract-disburse").is_none(), "not approved");
        let me = w.account_of(
            w.invoke("list_accounts", None)[0]["agent_id"]
                .as_str()
                .expect("Awa's account is bound to her agent"),
        );
        // the secretariat gives the cooperative's committee member a sign-in on this laptop…
        let agents = w.invoke("list_agents", None);
        let ctc = agents
            .as_array()
            .and_then(|a| a.iter().find(|x| x["role"] == "ctc"))
            .cloned()
            .expect("a committee member in the demo");
        let ctc_id = ctc["id"].as_str().unwrap_or_default().to_owned();
        w.click_on("#nav-device");
        w.select("#account-agent", &ctc_id);
        w.type_into("#account-passphrase", CTC_PASS);
        w.type_into("#account-confirm", CTC_PASS);
        w.click_on("#account-add");
        let start = Instant::now();
        while w.find_all("[data-account]").len() < 2 {
            assert!(
                start.elapsed() < webdriver::PATIENCE,
                "the new account is not listed"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
        w.shot("compte-du-ctc");
        // …who signs in and approves
        w.click_on("#lock-now");
        w.sign_in_as(&w.account_of(&ctc_id), CTC_PASS);
        assert!(
            w.text(&w.wait("#signed-in-as"))
                .contains(ctc["name"].as_str().unwrap_or_default()),
            "the committee member is signed in"
        );
        open_member(&w, number);
        w.click_on(".contract-approve");
        maybe_confirm(&w);
        w.wait(".contract-disburse");
        w.shot("contrat-approuve");
        // Awa signs in again to pay the advance
        w.click_on("#lock-now");
        w.sign_in_as(&me, PASS);
        assert!(w.text(&w.wait("#signed-in-as")).contains("Awa"));
        open_member(&w, number);

        // the advance: 60 % of 1 000 kg × price, confirmed, then its receipt
        let due = price * 1000 * 6 / 10;
        w.click_on(".contract-disburse");
        w.type_into("#disb-amount", &due.to_string());
        w.click_on("#disb-submit");
        let dialog = w.wait("#confirm-dialog");
        assert!(
            squash(&w.text(&dialog)).contains(&format!("{due}")),
            "the confirmation states the amount: {}",
            w.text(&dialog)
        );
        w.shot("confirmation-avance");
        confirm(&w);
        let receipt = w.wait("#receipt");
        let text = w.text(&receipt);
        assert!(squash(&text).contains(&format!("{due}FCFA")), "{text}");
        assert!(
            text.contains("cent cinquante mille francs CFA") || due != 150_000,
            "{text}"
        );
        assert!(text.contains("Awa Traoré"), "{text}");
        let no = w.text(&w.wait("#receipt-number"));
        assert!(!no.trim().is_empty());
        w.shot("recu-avance");
        system_print_dialog(&mut w, "#receipt-print", "impression-recu");

        // the interface in English, then back
        w.click_on("#lang-en");
        w.wait_text("#nav-members", "Cooperatives & members");
        w.shot("english");
        w.click_on("#lang-fr");
        w.wait_text("#nav-members", "Coopératives et membres");
        let next = w.next_shot();
        w.close();
        (price, next)
    };

    // ---- day 2: 5 December, the delivery window is open; the app starts again ----
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2026-12-05T10:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, next);
    let accounts = w.invoke("vault_status", None)["accounts"].clone();
    let awa = accounts
        .as_array()
        .and_then(|a| a.iter().find(|x| x["label"] == "Awa"))
        .and_then(|x| x["id"].as_str())
        .expect("Awa's account")
        .to_owned();
    w.sign_in_as(&awa, PASS);
    w.wait("#nav-members");
    open_member(&w, number);
    w.click_on(".contract-deliver");
    let warehouses = w.options("#dlv-warehouse");
    let wh = warehouses
        .iter()
        .find(|v| !v.is_empty())
        .cloned()
        .expect("a warehouse");
    w.select("#dlv-warehouse", &wh);
    w.type_into("#dlv-bags", "20");
    w.type_into("#dlv-gross", "1010");
    w.type_into("#dlv-moisture", "10");
    w.type_into("#dlv-impurity", "1");
    // live: 1 010 kg − 20 bags × 0,5 kg = 1 000 kg accepted, worth 1 000 × price
    let value = price * 1000;
    w.wait_text("#dlv-accepted", "1");
    let start = Instant::now();
    loop {
        let shown = squash(&w.text(&w.wait("#dlv-value")));
        if shown.contains(&format!("{value}")) {
            break;
        }
        assert!(
            start.elapsed() < webdriver::PATIENCE,
            "live value shows {shown}, expected {value}"
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        squash(&w.text(&w.wait("#dlv-accepted"))).contains("1000"),
        "accepted kg shown live"
    );
    w.shot("livraison-apercu");
    w.click_on("#dlv-submit");
    confirm(&w);
    let receipt = w.wait("#receipt");
    let text = w.text(&receipt);
    assert!(text.contains("Awa Traoré"), "{text}");
    w.shot("recu-livraison");

    // the balance: delivered value − advance = 40 % of the contract
    open_member(&w, number);
    let balance = squash(&w.text(&w.wait("#member-balance")));
    let net = value - price * 1000 * 6 / 10;
    assert!(
        balance.contains(&format!("{net}FCFA")),
        "balance {balance}, expected {net} FCFA"
    );
    w.shot("solde-du-membre");

    // the balance paid to the member, with its receipt; then nothing remains to pay
    w.click_on("#member-balance .balance-pay");
    w.wait("#member-balance .balance-amount");
    let prefilled = w.script(
        "return document.querySelector('#member-balance .balance-amount').value",
        &[],
    );
    assert_eq!(
        prefilled.as_str(),
        Some(net.to_string().as_str()),
        "what remains, prefilled"
    );
    w.click_on("#member-balance .balance-submit");
    confirm(&w);
    let receipt = w.text(&w.wait("#receipt"));
    assert!(
        squash(&receipt).contains(&format!("{net}FCFA")),
        "{receipt}"
    );
    w.shot("paiement-du-solde");
    open_member(&w, number);
    w.wait("#member-balance .balance-paid");
    assert!(
        w.find("#member-balance .balance-pay").is_none(),
        "nothing left to pay"
    );
    w.close();
    drop(driver);

    // every step left its screenshot
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
            "01-premier-lancement-phrase-secrete.png",
            "02-premier-lancement.png",
            "03-union-de-demo-chargee.png",
            "04-verrouille-mauvaise-phrase.png",
            "05-doublon-probable.png",
            "06-membre-enregistre.png",
            "07-contrat-demande.png",
            "08-contrat-seconde-personne.png",
            "09-compte-du-ctc.png",
            "10-contrat-approuve.png",
            "11-confirmation-avance.png",
            "12-recu-avance.png",
            "13-impression-recu.png",
            "14-english.png",
            "15-livraison-apercu.png",
            "16-recu-livraison.png",
            "17-solde-du-membre.png",
            "18-paiement-du-solde.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
