//! End to end in the real window at 1366×768, the registry lives (issue #18): on the demo
//! union at the union office, the secretary opens a member's card and « Corriger » her phone:
//! a bad number is refused under the field, a good one shows old → new in the confirmation,
//! saving without a reason is refused, with one it saves, and the card's « Historique » shows
//! the change with who, on which device and why. A field laptop enrolled with the office's
//! hub corrects the same phone differently while the window corrects it again: after the
//! laptop's sync the conflict is in the office's queue with both numbers. A member's departure
//! is recorded (the card then offers no new contract nor advance, the search marks her), and
//! undone (« Réintégrer »). In English: the same correction, then a member transferred to
//! another cooperative (her new card links back to the old one and keeps her history).
//! Screenshots in `target/e2e-screenshots-registry/` (or `SENE_E2E_REGISTRY_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::{json, Value};
use webdriver::Window;

const PASS: &str = "registre de Ségou 18";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_REGISTRY_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-registry"),
        PathBuf::from,
    )
}

/// Opens a member's card from the members screen, as a person does: search, click.
fn open_member(w: &Window, number: &str) {
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
}

/// Asserts that `css` is not wider than its box nor goes past the window's right edge; with
/// `strict`, that nothing inside it overflows its own box either (readable at 1366×768).
fn fits(w: &Window, css: &str, strict: bool) {
    let v = w.script(
        "const e = document.querySelector(arguments[0]); if (!e) return null;
         const r = e.getBoundingClientRect();
         const wide = [...e.querySelectorAll('*')].filter(x => x.scrollWidth > x.clientWidth + 1
             && getComputedStyle(x).overflowX === 'visible' && x.clientWidth > 0)
             .map(x => x.id || x.className || x.tagName);
         return { right: Math.round(r.right), width: window.innerWidth,
                  scroll: e.scrollWidth, client: e.clientWidth, wide };",
        &[json!(css)],
    );
    assert!(!v.is_null(), "{css} is not on the page");
    let n = |k: &str| v[k].as_i64().unwrap_or(i64::MAX);
    assert!(n("right") <= n("width"), "{css} goes past the window: {v}");
    assert!(
        n("scroll") <= n("client") + 1,
        "{css} is wider than its box: {v}"
    );
    if strict {
        assert_eq!(
            v["wide"],
            json!([]),
            "{css}: parts wider than their box: {v}"
        );
    }
}

/// The member's history, as the api answers it.
fn history(w: &Window, member: &str) -> Vec<Value> {
    w.invoke("member_history", Some(json!({ "member_id": member })))
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// « Corriger » the open card's phone: a bad value refused under the field, then `good`; the
/// confirmation shows `old` → `stored`; saving without a reason refused; then saved with
/// `reason`. `lang` words the checks (`fr`, `en`). Screenshots named with `tag`.
#[allow(clippy::too_many_arguments)]
fn correct_phone(
    w: &mut Window,
    member: &str,
    old: &str,
    good: &str,
    stored: &str,
    reason: &str,
    words: &Words,
    tag: &str,
) {
    let before = history(w, member).len();
    w.click_on("#member-correct");
    w.wait("#correct-dialog");
    // the form holds the card's fields as they are
    let phone = w.script("return document.getElementById('correct-phone').value", &[]);
    assert_eq!(phone.as_str().unwrap_or_default(), old, "{phone}");
    w.type_into("#correct-phone", "12 34");
    w.click_on("#correct-check");
    let err = w.text(&w.wait("#correct-phone-err"));
    assert!(err.contains(words.bad_phone), "{err}");
    assert!(
        w.find("#correct-confirm").is_none(),
        "nothing to confirm with a bad phone"
    );
    fits(w, "#correct-dialog", true);
    w.shot(&format!("{tag}-telephone-refuse"));

    w.type_into("#correct-phone", good);
    w.click_on("#correct-check");
    let table = w.text(&w.wait("#correct-changes"));
    assert!(table.contains(words.phone), "{table}");
    assert!(table.contains(old), "the old value: {table}");
    assert!(table.contains(stored), "the new value: {table}");
    assert_eq!(
        w.find_all("#correct-changes tbody tr").len(),
        1,
        "only the phone changes: {table}"
    );
    fits(w, "#correct-confirm", true);
    w.shot(&format!("{tag}-confirmation"));

    // no reason: refused at the reason, nothing saved
    w.click_on("#correct-save");
    let err = w.text(&w.wait("#correct-reason-err"));
    assert!(err.contains(words.required), "{err}");
    assert_eq!(history(w, member).len(), before, "nothing saved");
    w.shot(&format!("{tag}-sans-motif"));

    w.type_into("#correct-reason", reason);
    w.click_on("#correct-save");
    w.wait_gone("#correct-confirm");
    w.wait_text("#member-card .facts", stored);
    let entries = history(w, member);
    assert_eq!(entries.len(), before + 1, "{entries:?}");
}

/// The words a check looks for, per language.
struct Words {
    bad_phone: &'static str,
    phone: &'static str,
    required: &'static str,
}

const FR: Words = Words {
    bad_phone: "8 chiffres",
    phone: "Téléphone",
    required: "obligatoire",
};
const EN: Words = Words {
    bad_phone: "8 digits",
    phone: "Phone",
    required: "required",
};

/// A member of `coop` (all cooperatives when `None`) whose card passes `ok`, not in `but`.
fn member_where(
    w: &Window,
    coop: Option<&str>,
    but: &[&str],
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": coop })),
    );
    for m in members.as_array().expect("members") {
        if but.contains(&m["id"].as_str().unwrap_or_default()) || m["active"] != true {
            continue;
        }
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        // a merged registration shows another member's card
        if card["member"]["id"] == m["id"] && ok(&card) {
            return card;
        }
    }
    panic!("no member fits in {coop:?}");
}

fn open_contract(card: &Value) -> bool {
    card["contracts"].as_array().is_some_and(|c| {
        c.iter().any(|c| {
            ["requested", "approved", "disbursed", "delivering"]
                .contains(&c["state"].as_str().unwrap_or_default())
        })
    })
}

#[test]
fn the_registry_lives_in_the_real_window() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, PASS);
    // the members screen the demo opens is drawn (a click while a screen loads was once
    // refused by the driver)
    w.wait("#member-search");
    let status = w.invoke("app_status", None);
    let me = status["agent_name"].as_str().expect("an agent").to_owned();
    let desk = status["device_label"]
        .as_str()
        .expect("a device")
        .to_owned();

    // a field agent's cooperative: its members are on that agent's laptop too
    let agents = w.invoke("list_agents", None);
    let field = agents
        .as_array()
        .expect("agents")
        .iter()
        .find(|a| {
            a["role"] == "field_agent"
                && a["cooperatives"].as_array().is_some_and(|c| !c.is_empty())
        })
        .expect("a field agent with a cooperative")
        .clone();
    let coops = w.invoke("list_cooperatives", None);
    let coop = coops
        .as_array()
        .expect("cooperatives")
        .iter()
        .find(|c| {
            field["cooperatives"]
                .as_array()
                .is_some_and(|a| a.contains(&c["code"]))
        })
        .expect("the field agent's cooperative")
        .clone();
    let coop_id = coop["id"].as_str().expect("id").to_owned();
    let awa = member_where(&w, Some(&coop_id), &[], |c| {
        c["member"]["phone"].is_string()
    });
    let awa_id = awa["member"]["id"].as_str().expect("id").to_owned();
    let awa_no = awa["member"]["number"].as_str().expect("number").to_owned();
    let awa_phone = awa["member"]["phone"].as_str().expect("phone").to_owned();
    assert!(history(&w, &awa_id).is_empty(), "a card never corrected");

    // ---- « Corriger » the phone, in French ----
    open_member(&w, &awa_no);
    let card = w.text(&w.wait("#member-history"));
    assert!(card.contains("Aucune modification"), "{card}");
    correct_phone(
        &mut w,
        &awa_id,
        &awa_phone,
        "76 01 02 03",
        "+22376010203",
        "Nouveau numéro donné par la membre",
        &FR,
        "fr",
    );
    let entry = w.text(&w.wait("#member-history .history-entry[data-action='correct']"));
    for word in [
        "Correction",
        "téléphone",
        awa_phone.as_str(),
        "+22376010203",
        "Nouveau numéro donné par la membre",
        me.as_str(),
        desk.as_str(),
    ] {
        assert!(
            entry.contains(word),
            "« {word} » is not in the history: {entry}"
        );
    }
    fits(&w, "#member-card", false);
    w.script(
        "document.getElementById('member-history').scrollIntoView({block: 'center'}); return true",
        &[],
    );
    w.shot("fr-historique");

    // ---- the same phone corrected on a field laptop, and again here: a conflict ----
    let hub = w.invoke("hub_start", Some(json!({ "listen": "127.0.0.1:0" })));
    let url = hub["urls"]
        .as_array()
        .expect("urls")
        .iter()
        .filter_map(Value::as_str)
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("the hub's loopback address")
        .to_owned();
    let pairing = w.invoke(
        "pair_device",
        Some(json!({
            "agent_id": field["id"],
            "device_label": "Portable de terrain",
            "receipt_prefix": "TERR",
        })),
    );
    let laptop_dir = tempfile::tempdir().expect("temp dir");
    let mut laptop = sene_api::Session::new(
        sene_app::Ledger::open(&laptop_dir.path().join("sene.sqlite")).expect("store"),
        laptop_dir.path().join("receipts"),
    );
    laptop
        .enroll(
            &sene_api::EnrollRequest {
                hub_url: url,
                device_id: pairing["device_id"].as_str().unwrap_or_default().into(),
                code: pairing["code"].as_str().unwrap_or_default().into(),
            },
            &mut |_| {},
        )
        .expect("the laptop enrolls with the office the window runs");
    let on_laptop = laptop
        .member_card(&sene_api::MemberRequest {
            member_id: awa_id.clone(),
        })
        .expect("the member is on the laptop");
    assert_eq!(
        on_laptop.member.phone.as_deref(),
        Some("+22376010203"),
        "the laptop received the office's correction"
    );
    laptop
        .correct_member(&sene_api::CorrectMemberRequest {
            member_id: awa_id.clone(),
            number: None,
            full_name: None,
            sex: None,
            birth_year: None,
            village: None,
            phone: Some("77 44 55 66".into()),
            nina: None,
            crops: None,
            reason: "Numéro noté au village".into(),
        })
        .expect("the laptop corrects the phone offline");
    // meanwhile at the office, the same field
    w.click_on("#member-correct");
    w.type_into("#correct-phone", "65 43 21 09");
    w.click_on("#correct-check");
    w.wait("#correct-changes");
    w.type_into("#correct-reason", "Appel du bureau : numéro confirmé");
    w.click_on("#correct-save");
    w.wait_gone("#correct-confirm");
    w.wait_text("#member-card .facts", "+22365432109");
    laptop.sync_now(&mut |_| {}).expect("the laptop syncs");
    assert!(
        !laptop.conflicts().expect("the laptop's queue").is_empty(),
        "the laptop holds the conflict too"
    );
    w.click_on("#nav-anomalies");
    w.click_on("#anom-refresh");
    let item = w.wait_text("li.anomaly[data-conflict-kind='fields']", "+22377445566");
    let text = w.text(&item);
    for word in [
        "+22377445566",
        "+22365432109",
        "téléphone",
        "Portable de terrain",
    ] {
        assert!(
            text.contains(word),
            "« {word} » is not in the conflict: {text}"
        );
    }
    w.script(
        "[...document.querySelectorAll(\"li.anomaly[data-conflict-kind='fields']\")]
           .find(li => li.innerText.includes(arguments[0]))?.scrollIntoView({block: 'center'});
         return true",
        &[json!("+22377445566")],
    );
    w.shot("fr-conflit-telephone");

    // ---- a departure: no new contract offered; then undone ----
    let bina = member_where(&w, Some(&coop_id), &[&awa_id], |c| {
        c["may_contract"] == true && !c["contracts"].as_array().is_some_and(Vec::is_empty)
    });
    let bina_id = bina["member"]["id"].as_str().expect("id").to_owned();
    let bina_no = bina["member"]["number"]
        .as_str()
        .expect("number")
        .to_owned();
    open_member(&w, &bina_no);
    w.wait("#contract-request");
    w.click_on("#member-depart");
    w.wait("#depart-dialog");
    w.select("#depart-kind", "left");
    w.click_on("#depart-submit");
    // the reason is asked for, nothing recorded
    w.wait("#depart-reason-err");
    assert!(history(&w, &bina_id).is_empty());
    w.type_into(
        "#depart-reason",
        "A quitté la coopérative pour s'installer à Bamako",
    );
    let on = w.script("return document.getElementById('depart-on').value", &[]);
    assert_eq!(on.as_str(), Some("15/01/2027"), "today by default: {on}");
    // a date in the future: Rust refuses it, said on the form, nothing recorded
    w.type_into("#depart-on", "20/01/2027");
    w.click_on("#depart-submit");
    let err = w.text(&w.wait_text("#depart-err", "futur"));
    assert!(err.contains("20/01/2027"), "{err}");
    assert!(history(&w, &bina_id).is_empty());
    w.type_into("#depart-on", "15/01/2027");
    fits(&w, "#depart-dialog", true);
    w.shot("fr-depart");
    w.click_on("#depart-submit");
    w.wait_gone("#depart-dialog");
    let st = w.text(&w.wait("#member-status"));
    assert!(st.contains("Parti") && st.contains("15/01/2027"), "{st}");
    assert!(
        w.find("#contract-request").is_none(),
        "no new contract offered to a member who left"
    );
    assert!(w.find(".contract-disburse").is_none(), "no advance either");
    let c = w.invoke("member_card", Some(json!({ "member_id": bina_id })));
    assert_eq!(c["may_contract"], false, "{c}");
    // still found by the search, marked
    w.wait_text(
        &format!(".member-result[data-member-id='{bina_id}'] .member-gone"),
        "Parti",
    );
    let entry = w.text(&w.wait("#member-history .history-entry[data-action='depart']"));
    assert!(entry.contains("Bamako") && entry.contains(&me), "{entry}");
    w.shot("fr-parti");
    // a new contract asked anyway (another window, an old screen): refused by Rust
    let refused = w
        .try_invoke(
            "request_contract",
            Some(json!({
                "member_id": bina_id,
                "campaign_id": status["campaigns"][0]["id"],
                "crop": status["campaigns"][0]["crops"][0]["crop"],
                "committed_kg": "500",
            })),
        )
        .expect_err("no contract for a member who left");
    assert_eq!(refused["code"], "rule_refused", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("n'est plus membre")),
        "{refused}"
    );
    w.click_on("#member-reinstate");
    w.type_into(
        "#reinstate-reason",
        "Départ saisi par erreur : elle est toujours là",
    );
    w.click_on("#reinstate-submit");
    w.wait_gone("#reinstate-dialog");
    w.wait("#contract-request");
    assert!(w.find("#member-status").is_none(), "active again");
    w.wait("#member-history .history-entry[data-action='reinstate']");
    w.shot("fr-reintegree");

    // ---- in English: a correction, then a transfer ----
    w.click_on("#lang-en");
    w.wait_text("#nav-members", "members");
    let cira = member_where(&w, None, &[&awa_id, &bina_id], |c| {
        !open_contract(c)
            && c["balances"].as_array().is_some_and(|b| {
                b.iter()
                    .all(|b| b["carried_debt"] == "0" || b["carried_debt"].is_null())
            })
    });
    let cira_id = cira["member"]["id"].as_str().expect("id").to_owned();
    let cira_no = cira["member"]["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let cira_coop = cira["member"]["cooperative_id"]
        .as_str()
        .expect("coop")
        .to_owned();
    let cira_phone = cira["member"]["phone"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    open_member(&w, &cira_no);
    correct_phone(
        &mut w,
        &cira_id,
        &cira_phone,
        "+223 79 88 77 66",
        "+22379887766",
        "The member changed her phone number",
        &EN,
        "en",
    );
    let entry = w.text(&w.wait("#member-history .history-entry[data-action='correct']"));
    for word in [
        "Correction",
        "phone",
        "+22379887766",
        "The member changed her phone number",
        "By ",
        me.as_str(),
        desk.as_str(),
    ] {
        assert!(
            entry.contains(word),
            "« {word} » is not in the history: {entry}"
        );
    }
    assert!(!entry.contains("téléphone"), "English words: {entry}");
    w.script(
        "document.getElementById('member-history').scrollIntoView({block: 'center'}); return true",
        &[],
    );
    w.shot("en-history");

    let target = coops
        .as_array()
        .expect("cooperatives")
        .iter()
        .find(|c| c["id"] != cira_coop.as_str())
        .expect("another cooperative")
        .clone();
    let new_no = format!("{}-9018", target["code"].as_str().expect("code"));
    w.click_on("#member-depart");
    w.select("#depart-kind", "transfer");
    w.select("#transfer-coop", target["id"].as_str().expect("id"));
    w.type_into("#transfer-number", &new_no);
    w.type_into("#depart-reason", "Moved to her husband's village");
    let help = w.text(&w.wait("#depart-help"));
    assert!(help.contains("new card"), "{help}");
    fits(&w, "#depart-dialog", true);
    w.shot("en-transfer");
    w.click_on("#depart-submit");
    w.wait_gone("#depart-dialog");
    let st = w.text(&w.wait("#member-status"));
    assert!(st.contains("Transferred"), "{st}");
    assert!(w.find("#contract-request").is_none());
    assert!(
        w.find("#member-reinstate").is_none(),
        "a transfer is undone by a transfer back"
    );
    let link = w.text(&w.wait("#member-moved-to"));
    assert!(link.contains(&new_no), "{link}");
    w.click_on("#member-moved-to");
    w.wait_text(
        "#member-card-title",
        cira["member"]["full_name"].as_str().unwrap_or_default(),
    );
    w.wait_text("#member-card .meta", &new_no);
    w.wait_text("#member-moved-from", &cira_no);
    w.wait("#contract-request");
    // her new card keeps her history: the correction and the transfer
    let hist = w.text(&w.wait("#member-history"));
    for word in [
        "Correction",
        "+22379887766",
        "Transfer (in)",
        "Transfer (out)",
        "husband",
    ] {
        assert!(
            hist.contains(word),
            "« {word} » is not in the history: {hist}"
        );
    }
    fits(&w, "#member-card", false);
    w.script(
        "document.getElementById('member-history').scrollIntoView({block: 'start'}); return true",
        &[],
    );
    w.shot("en-new-card");
    w.click_on("#lang-fr");
    w.wait_text("#nav-members", "membres");
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
            "01-fr-telephone-refuse.png",
            "02-fr-confirmation.png",
            "03-fr-sans-motif.png",
            "04-fr-historique.png",
            "05-fr-conflit-telephone.png",
            "06-fr-depart.png",
            "07-fr-parti.png",
            "08-fr-reintegree.png",
            "09-en-telephone-refuse.png",
            "10-en-confirmation.png",
            "11-en-sans-motif.png",
            "12-en-history.png",
            "13-en-transfer.png",
            "14-en-new-card.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
