//! End to end in the real window at 1366×768, the union office's conflicts (issue #17): on the
//! demo union, the office's hub runs in the window and a committee member's laptop enrolls with
//! it; the committee member rejects a contract request on the laptop, offline, while the
//! secretary approves it in the window; the laptop syncs. In « Anomalies » the secretary reads
//! both decisions as a person would (states in words, who, which device, when; no record id),
//! keeps the rejection by choosing it, and the contract is stored rejected by who rejected it,
//! with no approval left on it; the laptop syncs and closes the same conflict. Then, in English,
//! the demo's member registered twice on two devices is merged: one registration kept, the
//! other's records counted under it, and the member listed once. Screenshots in
//! `target/e2e-screenshots-conflicts/` (or `SENE_E2E_CONFLICTS_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::{json, Value};

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_CONFLICTS_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-conflicts"),
        PathBuf::from,
    )
}

/// Whether a line shows a raw record id (a UUID) instead of words.
fn has_uuid(s: &str) -> bool {
    s.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(|w| w.len() == 36 && w.matches('-').count() == 4)
}

/// The open conflicts of the office's queue of the first campaign, by kind.
fn queue(w: &webdriver::Window, campaign: &str, kind: &str) -> Vec<Value> {
    w.invoke("office_anomalies", Some(json!({ "campaign_id": campaign })))
        .as_array()
        .expect("the queue")
        .iter()
        .filter(|a| a["conflict_kind"] == kind)
        .cloned()
        .collect()
}

/// The members an anomaly links to.
fn member_links(a: &Value) -> Vec<String> {
    a["links"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|l| l["target"] == "member")
                .filter_map(|l| l["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_secretary_resolves_conflicts_by_choosing_and_merges_a_member() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, "riz de Macina 9");
    let status = w.invoke("app_status", None);
    let campaign = status["campaigns"][0]["id"]
        .as_str()
        .expect("a campaign")
        .to_owned();

    // ---- the office's hub, and a committee member's laptop enrolled with it ----
    let hub = w.invoke("hub_start", Some(json!({ "listen": "127.0.0.1:0" })));
    let url = hub["urls"]
        .as_array()
        .expect("urls")
        .iter()
        .filter_map(Value::as_str)
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("the hub's loopback address")
        .to_owned();
    let agents = w.invoke("list_agents", None);
    let laptop_dir = tempfile::tempdir().expect("temp dir");
    let mut found = None;
    for (n, a) in agents
        .as_array()
        .expect("agents")
        .iter()
        .filter(|a| a["role"] == "ctc")
        .enumerate()
    {
        let pairing = w.invoke(
            "pair_device",
            Some(json!({
                "agent_id": a["id"],
                "device_label": format!("Portable du CTC {}", n + 1),
                "receipt_prefix": format!("PCTC{}", n + 1),
            })),
        );
        let mut laptop = sene_api::Session::new(
            sene_app::Ledger::open(&laptop_dir.path().join(format!("ctc{n}.sqlite")))
                .expect("store"),
            laptop_dir.path().join("receipts"),
        );
        laptop
            .enroll(
                &sene_api::EnrollRequest {
                    hub_url: url.clone(),
                    device_id: pairing["device_id"].as_str().unwrap_or_default().into(),
                    code: pairing["code"].as_str().unwrap_or_default().into(),
                },
                &mut |_| {},
            )
            .expect("the laptop enrolls with the office the window runs");
        // a contract request of the laptop's cooperative, still waiting for a decision
        let mut request = None;
        for coop in laptop.cooperatives().expect("cooperatives") {
            let members = laptop
                .search_members(&sene_api::SearchRequest {
                    query: String::new(),
                    cooperative_id: Some(coop.id.clone()),
                })
                .expect("members");
            for m in members {
                let card = laptop
                    .member_card(&sene_api::MemberRequest {
                        member_id: m.id.clone(),
                    })
                    .expect("card");
                if let Some(c) = card.contracts.iter().find(|c| c.state == "requested") {
                    request = Some((c.id.clone(), m.full_name.clone()));
                }
            }
        }
        if let Some(r) = request {
            found = Some((
                laptop,
                a["name"].as_str().unwrap_or_default().to_owned(),
                n,
                r,
            ));
            break;
        }
    }
    let (mut laptop, ctc, n, (contract, member)) =
        found.expect("a committee member whose cooperative has a contract request");
    let laptop_label = format!("Portable du CTC {}", n + 1);

    // ---- offline, the same request: rejected on the laptop, approved in the window ----
    laptop
        .decide_contract(&sene_api::DecideRequest {
            contract_id: contract.clone(),
            approve: false,
            reason: "parcelle déjà engagée ailleurs".into(),
        })
        .expect("the committee member rejects on the laptop");
    let approved = w.invoke(
        "decide_contract",
        Some(json!({ "contract_id": contract, "approve": true, "reason": "" })),
    );
    assert_eq!(approved["state"], "approved", "{approved}");
    laptop.sync_now(&mut |_| {}).expect("the laptop syncs");
    assert_eq!(
        laptop.conflicts().expect("the laptop's queue").len(),
        1,
        "the laptop holds the conflict too"
    );

    // ---- the queue, as a person reads it ----
    w.click_on("#nav-anomalies");
    w.click_on("#anom-refresh");
    let item = w.wait("li.anomaly[data-conflict-kind='fields']");
    let text = w.text(&item);
    for word in [
        "Approuvé",
        "Rejeté",
        ctc.as_str(),
        laptop_label.as_str(),
        member.as_str(),
    ] {
        assert!(text.contains(word), "« {word} » is not in: {text}");
    }
    assert!(!has_uuid(&text), "a raw id is shown: {text}");
    assert!(!text.contains("valeur illisible"), "{text}");
    let dup = w.text(&w.wait("li.anomaly[data-conflict-kind='member_duplicate']"));
    assert!(!has_uuid(&dup), "a raw id is shown: {dup}");
    assert!(dup.contains("inscrit(e) par"), "{dup}");
    assert!(!dup.contains("champ :"), "{dup}");
    w.shot("conflits-lisibles");

    // ---- the secretary keeps the rejection ----
    let fields = queue(&w, &campaign, "fields");
    assert_eq!(fields.len(), 1, "{fields:?}");
    let values = fields[0]["values"].as_array().expect("values");
    let rejected = values
        .iter()
        .position(|v| v.as_str().unwrap_or_default().starts_with("Rejeté"))
        .expect("the rejection among the values");
    let sel = "li.anomaly[data-conflict-kind='fields']";
    w.click_on(&format!("{sel} .conflict-choice[value='{rejected}']"));
    w.type_into(
        &format!("{sel} .anomaly-note"),
        "Le comité a rejeté la demande : parcelle déjà engagée",
    );
    w.shot("rejet-choisi");
    w.click_on(&format!("{sel} .anomaly-resolve"));
    w.wait_gone(sel);
    let log = w.text(&w.wait("#anom-log"));
    assert!(log.contains("parcelle déjà engagée"), "{log}");
    w.shot("decision-resolue");

    // the laptop syncs: the same conflict closes there, and the contract reads the same
    laptop
        .sync_now(&mut |_| {})
        .expect("the laptop syncs again");
    assert!(
        laptop.conflicts().expect("queue").is_empty(),
        "the laptop closed the conflict"
    );
    let row = laptop
        .ledger()
        .db()
        .row_by_key(sene_store::Table::Contracts, &contract)
        .expect("read")
        .expect("the contract");
    assert_eq!(row["state"], "rejected", "{row:?}");
    let ctc_id = agents
        .as_array()
        .expect("agents")
        .iter()
        .find(|a| a["name"] == ctc.as_str())
        .map(|a| a["id"].clone())
        .expect("the committee member");
    assert_eq!(
        row["decided_by"], ctc_id,
        "rejected by who rejected it: {row:?}"
    );
    assert_eq!(row["approved_by"], Value::Null, "no approval left: {row:?}");
    let card = w.invoke(
        "member_card",
        Some(json!({ "member_id": row["member_id"] })),
    );
    let shown = card["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .find(|c| c["id"] == contract.as_str())
        .expect("the contract on the card")
        .clone();
    assert_eq!(shown["state"], "rejected", "{shown}");

    // ---- in English: the member registered twice, merged ----
    w.click_on("#lang-en");
    w.wait_text("#anom-title", "to handle");
    w.click_on("#anom-refresh");
    let sel = "li.anomaly[data-conflict-kind='member_duplicate']";
    let dup = w.text(&w.wait_text(sel, "registered by"));
    assert!(dup.contains("Keep:"), "{dup}");
    assert!(dup.contains("two different people"), "{dup}");
    let merge = queue(&w, &campaign, "member_duplicate");
    assert_eq!(merge.len(), 1, "{merge:?}");
    let values = merge[0]["values"].as_array().expect("values");
    // keep the registration that holds the records (the other was made on the tablet)
    let keep = values
        .iter()
        .position(|v| !v.as_str().unwrap_or_default().contains(" 0 contract(s)"))
        .expect("a registration with records");
    let members = member_links(&merge[0]);
    assert_eq!(members.len(), 2, "{members:?}");
    w.shot("doublon-en");
    w.click_on(&format!("{sel} .conflict-choice[value='{keep}']"));
    w.type_into(
        &format!("{sel} .anomaly-note"),
        "Same person registered twice, on the tablet and on the laptop",
    );
    w.click_on(&format!("{sel} .anomaly-resolve"));
    let confirm = w.text(&w.wait("#confirm-dialog"));
    assert!(confirm.contains("Nothing is deleted"), "{confirm}");
    w.shot("fusion-a-confirmer-en");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait_gone(sel);
    // the pair is no longer a probable duplicate either
    let rest = w.invoke("office_anomalies", Some(json!({ "campaign_id": campaign })));
    assert!(
        !rest
            .as_array()
            .expect("queue")
            .iter()
            .any(|a| a["kind"] == "duplicate_member"
                && members.iter().all(|m| member_links(a).contains(m))),
        "{rest}"
    );
    let open = w.invoke("list_conflicts", None);
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");
    w.shot("fusion-faite-en");
    // one member listed, the merged registration's card is the kept one's
    let kept_card = w.invoke("member_card", Some(json!({ "member_id": members[0] })));
    let other_card = w.invoke("member_card", Some(json!({ "member_id": members[1] })));
    assert_eq!(kept_card["member"]["id"], other_card["member"]["id"]);
    let name = kept_card["member"]["full_name"]
        .as_str()
        .expect("a name")
        .to_owned();
    let found = w.invoke(
        "search_members",
        Some(json!({ "query": name, "cooperative_id": Value::Null })),
    );
    let same: Vec<&Value> = found
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["full_name"] == name.as_str())
        .collect();
    assert_eq!(same.len(), 1, "listed once: {found}");
    w.click_on("#lang-fr");
    w.wait_text("#anom-title", "à traiter");
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
            "01-conflits-lisibles.png",
            "02-rejet-choisi.png",
            "03-decision-resolue.png",
            "04-doublon-en.png",
            "05-fusion-a-confirmer-en.png",
            "06-fusion-faite-en.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
