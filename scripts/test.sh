#!/usr/bin/env bash
# Sene — every test: formatting, lints, unit, property, integration, doc and scenario tests.
# Installs the system packages the build needs when they are missing (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)   # the HTTPS hub test makes its certificates
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing missing system packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y --no-install-recommends "${need_apt[@]}"
  else sudo apt-get update -qq && sudo apt-get install -y --no-install-recommends "${need_apt[@]}"; fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
