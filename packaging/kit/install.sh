#!/bin/sh
# Sene — installation hors ligne, depuis ce dossier seul (ni réseau, ni autre source).
# Offline install from this folder alone (no network, no other source).
#
#   sh install.sh portable   l'application de bureau et la commande sene (portable d'un agent)
#   sh install.sh bureau     le serveur du bureau : le service sene-hub et la commande sene
#   sh install.sh tout       les deux (l'ordinateur du secrétariat)
#
# En root (su - , ou sudo). Les paquets Debian que Debian 12 n'a pas encore sont dans
# dependances/ : seuls ceux qui manquent (ou sont plus anciens) sont installés, par apt, qui ne
# lit ici que les fichiers de ce dossier.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

usage() {
  echo "usage : sh install.sh portable|bureau|tout   (en root)" >&2
  echo "usage: sh install.sh portable|bureau|tout   (as root; portable = laptop, bureau = office server, tout = both)" >&2
}

case "${1:-}" in
  portable) lists="portable"; ours="sene-cli sene" ;;
  bureau) lists="bureau"; ours="sene-cli sene-hub" ;;
  tout|all) lists="portable bureau"; ours="sene-cli sene sene-hub" ;;
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

# the dependencies this computer lacks, or has in an older version
files=""
deps=""
for who in $lists; do
  while read -r pkg version file; do
    case " $deps " in *" $pkg "*) continue ;; esac
    have=$(dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$pkg" 2>/dev/null || true)
    case "$have" in
      ii*)
        installed=${have#* }
        installed=${installed# }
        if dpkg --compare-versions "$installed" ge "$version"; then
          continue
        fi ;;
    esac
    files="$files ./dependances/$file"
    deps="$deps $pkg"
  done <"dependances/$who.list"
done
for p in $ours; do
  case "$p" in
    sene-hub) files="$files $(ls ./paquets/sene-hub_*.deb)" ;;
    *) files="$files $(ls ./paquets/${p}_*_"$arch".deb)" ;;
  esac
done

echo "Installation de : $ours$( [ -n "$deps" ] && echo " (et $(echo $deps | wc -w) paquet(s) Debian du kit)")…"
# apt reads no source at all (an empty list, no other folder): only the files named here and
# what is installed already; --no-download makes it stop rather than reach for the network
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends --no-download \
  -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$empty" \
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
  $files
# the kit's dependencies go with Sene when it is removed (apt autoremove)
if [ -n "$deps" ]; then
  # shellcheck disable=SC2086
  apt-mark auto $deps >/dev/null
fi

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
