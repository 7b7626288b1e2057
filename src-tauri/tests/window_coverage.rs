//! Every command of the registry (`src/registry.rs`) is called by a real-window test: the app,
//! built for tests (debug), appends the name of each command the window invokes to the file
//! `SENE_COMMAND_LOG` names, and the real-window tests' launcher
//! (`tests/window/webdriver/mod.rs`) points it to
//! `<target>/command-log/<test binary>.<test module>.<pid>.log`. This test reads the newest log
//! of each real-window test module (a file under `tests/` that says `use crate::webdriver;`),
//! made since the app was last built, and fails for a command none of them called, unless
//! `NOT_YET_COVERED` says why.
//!
//! It runs after the real-window tests in `cargo test` (test binaries run in name order, and
//! this name sorts after theirs, `window`); alone, run them first:
//! `xvfb-run -a -s "-screen 0 1366x768x24" cargo test -p sene-desktop`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

include!("../src/registry.rs");

macro_rules! names {
    ($($name:ident ($($req:ty)?) -> $out:ty [$access:ident, $rw:ident] $(= $method:ident)?;)*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
registry!(names);

/// Commands no real-window test calls yet, each with why (its screen has no real-window test
/// yet, or it cannot run there). The list only shrinks: a command listed here that a
/// real-window test calls fails this test until its line is removed.
const NOT_YET_COVERED: &[(&str, &str)] = &[
    // the office screens (issue 17: a real-window test per office task)
];

fn modified(p: &Path) -> SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `.rs` files under `dir`, at any depth.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for p in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
    {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The real-window test modules (`tests/**/<name>.rs` that say `use crate::webdriver;`), by
/// name.
fn window_tests() -> BTreeSet<String> {
    let mut files = Vec::new();
    sources(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut files,
    );
    files
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(p)
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "use crate::webdriver;"))
        })
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect()
}

/// The newest log of each test module: `<binary>-<hash>.<module>.<pid>.log` → module →
/// (path, time).
fn logs(dir: &Path) -> BTreeMap<String, (PathBuf, SystemTime)> {
    let mut newest: BTreeMap<String, (PathBuf, SystemTime)> = BTreeMap::new();
    for p in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
    {
        let Some(file) = p.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        let Some(name) = (match file.split('.').collect::<Vec<_>>()[..] {
            [_binary, module, _pid, "log"] => Some(module.to_owned()),
            _ => None,
        }) else {
            continue;
        };
        let t = modified(&p);
        if newest.get(&name).is_none_or(|(_, old)| *old < t) {
            newest.insert(name, (p, t));
        }
    }
    newest
}

#[test]
fn every_command_is_called_by_a_real_window_test() {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let dir = exe
        .ancestors()
        .nth(3)
        .unwrap_or(Path::new("."))
        .join("command-log");
    let built = modified(Path::new(env!("CARGO_BIN_EXE_sene-desktop")));
    let logs = logs(&dir);
    let mut called: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut not_run = Vec::new();
    for test in window_tests() {
        match logs.get(&test) {
            Some((path, t)) if *t >= built => {
                let text = std::fs::read_to_string(path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                for c in text.lines().filter(|l| !l.is_empty()) {
                    called.entry(c.to_owned()).or_default().insert(test.clone());
                }
            }
            _ => not_run.push(test),
        }
    }
    assert!(
        not_run.is_empty(),
        "no log in {} since the app was last built from the real-window tests {not_run:?}: \
         run them first (xvfb-run -a -s \"-screen 0 1366x768x24\" cargo test -p sene-desktop)",
        dir.display()
    );
    let unknown: Vec<_> = called
        .keys()
        .filter(|c| !COMMANDS.contains(&c.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "commands not in src/registry.rs: {unknown:?}"
    );
    let mut listed = BTreeSet::new();
    for (c, why) in NOT_YET_COVERED {
        assert!(COMMANDS.contains(c), "NOT_YET_COVERED: {c} is no command");
        assert!(
            !why.trim().is_empty(),
            "NOT_YET_COVERED: {c} needs its reason"
        );
        assert!(listed.insert(*c), "NOT_YET_COVERED: {c} twice");
    }
    let uncovered: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|c| !called.contains_key(*c) && !listed.contains(c))
        .collect();
    assert!(
        uncovered.is_empty(),
        "commands no real-window test calls ({} of {}): {uncovered:?}\n\
         add a real-window test that calls each (through the screen that uses it), or list it \
         in NOT_YET_COVERED with why",
        uncovered.len(),
        COMMANDS.len()
    );
    let now_covered: Vec<String> = listed
        .iter()
        .filter_map(|c| called.get(*c).map(|by| format!("{c} (by {by:?})")))
        .collect();
    assert!(
        now_covered.is_empty(),
        "now called by a real-window test: remove from NOT_YET_COVERED: {now_covered:?}"
    );
}
