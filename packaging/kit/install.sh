#!/bin/sh
# Sene — installation hors ligne, depuis ce dossier seul (ni réseau, ni autre source).
# Offline install from this folder alone (no network, no other source).
#
#   sh install.sh portable   l'application de bureau et la commande sene (portable d'un agent)
#   sh install.sh bureau     le serveur du bureau : le service sene-hub et la commande sene
#   sh install.sh tout       les deux (l'ordinateur du secrétariat)
#
# En root (su - , ou sudo). Les paquets Debian que Debian 12 n'a pas encore sont dans
# dependances/ : apt, qui n'a ici pour seule source que ce dossier, installe ceux qui manquent.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

usage() {
  echo "usage : sh install.sh portable|bureau|tout   (en root)" >&2
  echo "usage: sh install.sh portable|bureau|tout   (as root; portable = laptop, bureau = office server, tout = both)" >&2
}

case "${1:-}" in
  portable) ours="sene-cli sene" ;;
  bureau) ours="sene-cli sene-hub" ;;
  tout|all) ours="sene-cli sene sene-hub" ;;
  *) usage; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "erreur : lancez l'installation en root (su - ou sudo) / run it as root" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
  echo "erreur : ce kit est fait pour Debian 12 (apt-get et dpkg introuvables) / this kit is for Debian 12" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
case "$(ls paquets/sene-cli_*.deb)" in
  *"_$arch.deb") ;;
  *) echo "erreur : ce kit est pour une autre architecture que $arch / this kit is for another architecture" >&2; exit 1 ;;
esac

echo "Vérification des fichiers du kit (SHA256SUMS)…"
if ! sha256sum -c --quiet SHA256SUMS; then
  echo "erreur : un fichier du kit est abîmé ou manque : recopiez le kit / a file of the kit is damaged: copy it again" >&2
  exit 1
fi

# apt, with the kit as its only source (a local folder: no network is ever reached), in folders
# of its own (the computer's own lists and sources are left as they are): it installs Sene and
# what of the kit it lacks, and upgrades an installed package only when Sene needs a newer one
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/sources.d"
# the kit's own index (Packages, made with the kit) names each file and its SHA-256
echo "deb [trusted=yes] file:$(printf %s "$here" | sed 's/%/%25/g; s/ /%20/g') ./" >"$work/kit.list"
kit_apt() {
  apt-get -q -o APT::Sandbox::User=root \
    -o Dir::Etc::SourceList="$work/kit.list" -o Dir::Etc::SourceParts="$work/sources.d" \
    -o Dir::State::Lists="$work/lists" -o Dir::Cache::Archives="$work/archives" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
}
echo "Lecture du kit…"
kit_apt update >/dev/null
echo "Installation de : $ours…"
# shellcheck disable=SC2086
kit_apt install -y --no-install-recommends $ours

echo
for p in $ours; do
  dpkg-query -W -f '${Package} ${Version} : installé / installed\n' "$p"
done
case " $ours " in
  *" sene "*) echo "Application : menu « Sene » (ou la commande sene-desktop) ; la commande : sene --help" ;;
esac
case " $ours " in
  *" sene-hub "*)
    echo "Serveur du bureau : réglages /etc/sene/hub.env ; état : systemctl status sene-hub ; journal : journalctl -u sene-hub"
    echo "Sa base : sene-bureau init … (nouvelle union) ou sene-bureau restore … (reprise d'une sauvegarde), puis systemctl start sene-hub" ;;
esac
