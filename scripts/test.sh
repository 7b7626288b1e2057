#!/usr/bin/env bash
# Sene — every test: formatting, lints, the front end's unit tests and type check, Rust unit,
# property, integration, doc and scenario tests, and the end-to-end tests in the real window
# (under Xvfb, through tauri-driver), then the packages: built, installed, run and removed (as
# root). Installs what the machine lacks (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# build: C toolchain, WebKitGTK for the window; tests: openssl (the HTTPS hub test makes its
# certificates), Xvfb and WebKitWebDriver (the real-window tests)
# packages: dpkg-dev (dpkg-shlibdeps), systemd (systemd-analyze verify of the hub's unit), curl
# the federation's tests: postgresql (each test starts a throwaway cluster of its own with initdb
# and pg_ctl on a Unix socket, as nobody when run as root: sene_federation::cluster)
# the national page's browser test: chromium and chromium-driver (headless, through chromedriver)
apt_need build-essential pkg-config openssl libssl-dev libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver xdotool imagemagick dpkg-dev systemd curl postgresql chromium chromium-driver
need_cargo
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked -q
fi

echo "== ui: npm ci, build, type check, unit tests"
ui_build
(cd ui && npm run check --silent && npm test --silent)

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (the real-window tests run under Xvfb)"
xvfb-run -a -s "-screen 0 1366x768x24" cargo test --workspace --locked
echo "== quick runs of the benches (the ledger, backup and restore, every hub sync measure; each checks what it measures)"
SENE_BENCH_SCALE=small SENE_BENCH_QUICK=1 cargo test --locked -p sene-app -p sene-hub --bench ledger --bench backup --bench sync
echo "== quick run of the window bench (start-up, memory, save to receipt, in the real window)"
SENE_BENCH_QUICK=1 xvfb-run -a -s "-screen 0 1366x768x24" cargo test --locked -p sene-desktop --bench window
echo "== packages: scripts/package.sh --debug (the .debs and the offline kit, from the debug build above: a release build would add ~25 min cold), then scripts/package-test.sh (installs and removes them here)"
bash scripts/package.sh --debug
if [ "$(id -u)" -eq 0 ]; then bash scripts/package-test.sh; else sudo -E bash scripts/package-test.sh; fi
echo "screenshots of the end-to-end tests: target/e2e-screenshots/ (or \$SENE_E2E_SHOTS)"
