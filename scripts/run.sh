#!/usr/bin/env bash
# Sene — the main job: installs what a fresh machine lacks, builds the `sene` command, opens the
# store (embedded SQLite in the user's data folder unless SENE_STORE says otherwise), offers the
# demo union when the store is empty, and shows where the season stands.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installation des paquets système manquants : ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y --no-install-recommends "${need_apt[@]}"
  else sudo apt-get update -qq && sudo apt-get install -y --no-install-recommends "${need_apt[@]}"; fi
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "erreur : Rust (cargo) est introuvable ; installez-le avec rustup puis relancez." >&2
  exit 1
fi

echo "Compilation de sene (la première fois prend quelques minutes)…"
cargo build --release -q -p sene-cli
SENE=./target/release/sene

if ! "$SENE" check >/dev/null 2>&1; then
  if [ -t 0 ]; then
    read -r -p "La base est vide. Charger l'union de démonstration ? [O/n] " answer
  else
    answer=o
  fi
  case "${answer:-o}" in
    [nN]*) echo "Base vide. Créez votre union : $SENE init --help"; exit 0 ;;
    *) "$SENE" demo ;;
  esac
fi

"$SENE" report campaign
echo
"$SENE" report settlement --date "$(date +%F)" | tail -n 25
echo
echo "Base : $("$SENE" check --json | sed -n 's/.*"store": *"\([^"]*\)".*/\1/p')"
echo "Aide : $SENE --help"
