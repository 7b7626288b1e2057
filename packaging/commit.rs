// The build's commit, for `sene --version` and the window's « À propos »: `include!`d by the
// build scripts of `crates/cli` and `src-tauri` (no `use`, one function), which call
// `commit_env()`. It sets `SENE_COMMIT` for the crate: `SENE_COMMIT` from the environment when
// given (a build from a source archive, without `.git`), else `git rev-parse --short=12 HEAD`,
// else empty (shown as « inconnu » / "unknown"). The script runs again when HEAD moves (a
// commit, a checkout), not at every build.

/// Sets `cargo:rustc-env=SENE_COMMIT=…` and what makes it run again.
fn commit_env() {
    println!("cargo:rerun-if-env-changed=SENE_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    let given = std::env::var("SENE_COMMIT").ok();
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    if given.is_none() {
        // HEAD itself (a checkout), the branch it names (a commit), and the packed refs
        for path in ["HEAD", "packed-refs"]
            .into_iter()
            .map(str::to_owned)
            .chain(git(&["symbolic-ref", "-q", "HEAD"]))
        {
            if let Some(p) = git(&["rev-parse", "--git-path", &path]) {
                if std::path::Path::new(&p).exists() {
                    let p = std::fs::canonicalize(&p).map_or(p, |c| c.display().to_string());
                    println!("cargo:rerun-if-changed={p}");
                }
            }
        }
    }
    let commit = given
        .map(|c| c.trim().to_owned())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_default();
    // only what a commit's name can hold: the value ends up in a window and a terminal
    let commit: String = commit
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '+'))
        .take(40)
        .collect();
    println!("cargo:rustc-env=SENE_COMMIT={commit}");
}
