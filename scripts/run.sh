#!/usr/bin/env bash
# Sene — the main job: installs what a fresh machine lacks, builds the desktop app and opens it
# on the store in the user's data folder (embedded SQLite; SENE_STORE names another file). On an
# empty store the window offers the demo union. Without a display, the `sene` command shows
# where the season stands instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_need build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev
need_cargo

echo "Compilation de l'interface…"
ui_build
echo "Compilation de Sene (la première fois prend une dizaine de minutes)…"
cargo build --release -q -p sene-desktop -p sene-cli

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "Ouverture de la fenêtre Sene…"
  exec "${CARGO_TARGET_DIR:-target}/release/sene-desktop"
fi

echo "Pas d'écran graphique (DISPLAY vide) : voici l'état de la saison avec la commande sene."
SENE="${CARGO_TARGET_DIR:-target}/release/sene"
if ! checked=$("$SENE" check 2>&1); then
  if printf '%s' "$checked" | grep -q SENE_PASSPHRASE; then
    echo "La base est chiffrée : donnez sa phrase secrète (export SENE_PASSPHRASE='…') puis relancez."
    exit 0
  fi
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
echo "Aide : $SENE --help ; la fenêtre : ${CARGO_TARGET_DIR:-target}/release/sene-desktop"
