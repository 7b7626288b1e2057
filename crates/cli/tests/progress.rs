//! Long work shows its progress (#22 item 4): with its output piped (not a terminal), `sene`
//! prints plain lines `[ P %] DONE/TOTAL text`, in order, ending at 100 % and the total, and no
//! bar's control characters; with `--json` those lines go to stderr and stdout stays the answer.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

/// `sene --store STORE ARGS…` with its output piped, nothing from the environment.
fn sene(store: &Path, args: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sene"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("SENE_STORE")
        .env_remove("SENE_LANG")
        .env_remove("SENE_CLOCK")
        .env_remove("SENE_PASSPHRASE")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    );
    assert!(o.status.success(), "sene {args:?}: {out}{err}");
    (out, err)
}

/// The progress lines of `text`: (percent, done, total, what).
fn steps(text: &str) -> Vec<(u64, u64, u64, String)> {
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('[')?;
            let (pct, rest) = rest.split_once(" %] ")?;
            let (count, what) = rest.split_once(' ')?;
            let (done, total) = count.split_once('/')?;
            Some((
                pct.trim().parse().ok()?,
                done.parse().ok()?,
                total.parse().ok()?,
                what.to_owned(),
            ))
        })
        .collect()
}

/// In order: never back, one total, the share true to the count, the last at 100 %.
fn check_in_order(steps: &[(u64, u64, u64, String)]) {
    assert!(steps.len() >= 3, "{steps:?}");
    check_phases(steps);
}

/// As [`check_in_order`], for work of few steps (a backup's phases).
fn check_phases(steps: &[(u64, u64, u64, String)]) {
    assert!(steps.len() >= 2, "{steps:?}");
    let total = steps[0].2;
    assert!(total > 0);
    let mut last = 0;
    for (pct, done, t, what) in steps {
        assert_eq!(*t, total, "{what}: one total");
        assert!(*done >= last, "{what}: back from {last} to {done}");
        assert_eq!(
            *pct,
            done * 100 / total,
            "{what}: {pct} % for {done}/{total}"
        );
        last = *done;
    }
    let (pct, done, _, _) = steps.last().unwrap();
    assert_eq!((*pct, *done), (100, total), "{steps:?}");
    assert_eq!(steps[0].1, 0, "the first step: nothing done yet");
}

#[test]
fn a_generated_union_shows_its_steps_in_order_up_to_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let (out, err) = sene(&store, &["demo", "--scale", "small"]);
    assert!(
        !out.contains('\r') && !out.contains('\u{1b}'),
        "a bar in a pipe: {out:?}"
    );
    assert!(
        !err.contains('\r') && !err.contains('\u{1b}'),
        "a bar in a pipe: {err:?}"
    );
    let s = steps(&out);
    check_in_order(&s);
    // 4 cooperatives: the setup, five passes over them, the credit and the sale
    assert_eq!(s[0].2, 5 * 4 + 3);
    assert!(
        s[0].3.starts_with("Union générée : 4 coopératives"),
        "{s:?}"
    );
    assert_eq!(s.last().unwrap().3, "Union de démonstration prête");
    // each phase once, in the order the union is written
    let phases = [
        "Membres, demandes de contrat",
        "Décisions sur les contrats",
        "Prêteurs, lignes de crédit",
        "Avances aux membres",
        "Engrais : réceptions",
        "Livraisons au magasin",
        "Vente d'un lot",
    ];
    let at: Vec<usize> = phases
        .iter()
        .map(|p| {
            s.iter()
                .position(|x| x.3.starts_with(p))
                .unwrap_or_else(|| panic!("{p} missing: {s:?}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?} {s:?}");
    // the result after the steps
    assert!(
        out.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("Démo chargée : 4 coopératives"),
        "{out}"
    );
}

#[test]
fn with_json_the_steps_go_to_stderr_and_stdout_stays_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    let (out, err) = sene(&store, &["--json", "demo"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.is_object(), "{out}");
    assert!(steps(&out).is_empty());
    let s = steps(&err);
    check_in_order(&s);
    // the example union's 5 cooperatives
    assert_eq!(s[0].2, 5 * 5 + 3);
}

#[test]
fn an_import_counts_its_rows_up_to_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    sene(&store, &["--json", "demo"]);
    let file = dir.path().join("membres.csv");
    let mut csv = String::from(
        "Coopérative;Numéro;Nom;Sexe;Année naissance;Village;Téléphone;NINA;Cultures\n",
    );
    for i in 0..120 {
        csv.push_str(&format!(
            "DIO;DIO-9{i:03};Membre Importé {i};F;1980;Diono;;;riz\n"
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let (out, _) = sene(&store, &["import", "members", file.to_str().unwrap()]);
    let s = steps(&out);
    check_in_order(&s);
    assert_eq!(s.last().unwrap().2, 120);
    assert!(s.iter().all(|x| x.3 == "membres importés"), "{s:?}");
    // a line every 2 points of the rows at most, not one per row
    assert!(s.len() <= 52, "{} lines", s.len());
    assert!(
        s[..s.len() - 1].windows(2).all(|w| w[1].0 >= w[0].0 + 2),
        "{s:?}"
    );
    let (out, _) = sene(&store, &["--lang", "en", "--json", "member", "list"]);
    assert!(out.contains("DIO-9119"), "the last row imported");
}

#[test]
fn a_backup_shows_its_phases_up_to_the_end_and_json_keeps_stdout_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    sene(&store, &["--json", "demo"]);
    let usb = dir.path().join("cle");
    let (out, err) = sene(&store, &["backup", "--to", usb.to_str().unwrap()]);
    assert!(!out.contains('\r') && !out.contains('\u{1b}'), "{out:?}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    let s = steps(&out);
    check_phases(&s);
    assert!(s[0].3.starts_with("Sauvegarde de "), "{s:?}");
    assert_eq!(s.last().unwrap().3, "Sauvegarde terminée");
    // then the answer
    let after = out.split("Sauvegarde terminée").nth(1).unwrap();
    assert!(after.contains("Sauvegarde écrite : "), "{out}");

    // in English, with --json: stdout is the answer alone, the phases on stderr
    let (out, err) = sene(
        &store,
        &[
            "--lang",
            "en",
            "--json",
            "backup",
            "--to",
            usb.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let file = v["file"].as_str().unwrap().to_owned();
    assert!(std::path::Path::new(&file).exists());
    let s = steps(&err);
    check_phases(&s);
    assert!(s[0].3.starts_with("Backing up "), "{s:?}");
    assert_eq!(s.last().unwrap().3, "Backup done");

    // its verification, and a restore's three phases, on stderr
    let (out, err) = sene(&store, &["--json", "backup", "verify", &file]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true);
    let s = steps(&err);
    check_phases(&s);
    assert!(s[0].3.starts_with("Vérification de la sauvegarde"), "{s:?}");
    assert_eq!(s.last().unwrap().3, "Vérification terminée");
    let other = dir.path().join("autre.sqlite");
    let (out, err) = sene(&other, &["--json", "restore", &file]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["restored"], true);
    let s = steps(&err);
    check_in_order(&s);
    assert_eq!(
        s.iter().map(|x| x.1).collect::<Vec<_>>(),
        [0, 1, 2, 3],
        "{s:?}"
    );
    assert_eq!(s.last().unwrap().3, "Restauration terminée");
}

#[test]
fn statements_count_their_files_up_to_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite");
    sene(&store, &["--json", "demo"]);
    let camp = "Riz 2026/27";
    sene(
        &store,
        &[
            "agent",
            "add",
            "--name",
            "Seconde secrétaire",
            "--role",
            "secretariat",
        ],
    );
    sene(
        &store,
        &[
            "--agent",
            "Seconde secrétaire",
            "settlement",
            "propose",
            "--campaign",
            camp,
            "--date",
            "2027-01-15",
        ],
    );
    let (out, _) = sene(
        &store,
        &[
            "--json",
            "settlement",
            "lock",
            "--campaign",
            camp,
            "--date",
            "2027-01-15",
        ],
    );
    let run: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = run["run"]["id"].as_str().unwrap().to_owned();
    let files =
        run["members"].as_array().unwrap().len() + run["cooperatives"].as_object().unwrap().len();
    let docs = dir.path().join("docs");
    let (out, err) = sene(
        &store,
        &[
            "--lang",
            "en",
            "--json",
            "settlement",
            "statements",
            &id,
            "--out",
            docs.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), files);
    let s = steps(&err);
    check_in_order(&s);
    assert_eq!(s[0].2, u64::try_from(files).unwrap());
    assert_eq!(s[0].3, "member statements");
    assert_eq!(s.last().unwrap().3, "payment lists");
    assert!(s.len() <= 53, "{} lines for {files} files", s.len());
}
