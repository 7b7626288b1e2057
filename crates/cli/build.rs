//! Sets `SENE_COMMIT`, the commit `sene --version` names (`packaging/commit.rs`).

include!("../../packaging/commit.rs");

fn main() {
    commit_env();
}
