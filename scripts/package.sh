#!/usr/bin/env bash
# Sene — builds what a union installs (issue #22), into artifacts/paquets/ (or $SENE_PACKAGE_OUT):
#   sene_<v>_amd64.deb       the desktop app (Tauri's deb bundle: menu entry, icon); needs sene-cli
#   sene-cli_<v>_amd64.deb   the `sene` command
#   sene-hub_<v>_amd64.deb   the office server: the sene-hub service, /etc/sene/hub.env, sene-bureau
#   sene-kit-<v>-amd64/      the offline install kit: the three packages, every Debian package they
#                            need that a fresh Debian 12 lacks, and install.sh (no network at all);
#   sene-kit-<v>-amd64.tar   the same folder in one file.
# The binaries are the release build (`cargo build --release`, the one run.sh makes), their debug
# information stripped in a staging copy. The kit's dependencies are downloaded once into
# $SENE_PACKAGE_CACHE (default ~/.cache/sene/apt-archives) and reused.
# Options: --no-kit (the three packages only); --debug (CI: the debug build `cargo test
# --workspace` made, reused as it is, instead of a release build of its own — the packages are
# then for checking, not for a union).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

kit=1
profile=release
for a in "$@"; do
  case "$a" in
    --no-kit) kit=0 ;;
    --debug) profile=debug ;;
    *) echo "usage: $0 [--no-kit] [--debug]" >&2; exit 2 ;;
  esac
done

apt_need build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev dpkg-dev
need_cargo

ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$(mkdir -p "${SENE_PACKAGE_OUT:-artifacts/paquets}" && cd "${SENE_PACKAGE_OUT:-artifacts/paquets}" && pwd)
CACHE=${SENE_PACKAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sene/apt-archives}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sene-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ARCH=$(dpkg --print-architecture)

# ---- one version everywhere: the workspace's, tauri.conf.json's, the desktop's dependency ----
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
conf_version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' src-tauri/tauri.conf.json)
if [ -z "$VERSION" ] || [ "$conf_version" != "$VERSION" ] \
  || ! grep -q "\"sene-cli (= $VERSION)\"" src-tauri/tauri.conf.json; then
  echo "erreur : la version de Cargo.toml ($VERSION), celle de src-tauri/tauri.conf.json ($conf_version) et sa dépendance « sene-cli (= …) » doivent être les mêmes" >&2
  exit 1
fi
echo "== Sene $VERSION → $OUT"

# ---- the build (reused when up to date) ----
t0=$(date +%s)
echo "== interface et compilation ($profile)"
if [ "$profile" = release ]; then
  ui_build
  cargo build --release --locked -q -p sene-desktop -p sene-cli
else
  # the very build of `cargo test --workspace` (same features, the ui/dist it embedded: built
  # again, its files would be new and the window rebuilt): nothing to do after it
  [ -f ui/dist/index.html ] || ui_build
  cargo test --workspace --locked -q --no-run
fi
echo "   ($(( $(date +%s) - t0 )) s)"

# the binaries without their debug information (the release profile keeps line tables for
# backtraces during development): a staging target folder that Tauri's bundler reads
STAGE="$WORK/target"
mkdir -p "$STAGE/$profile"
for b in sene-desktop sene; do
  strip --strip-debug -o "$STAGE/$profile/$b" "$TARGET/$profile/$b"
done
# Tauri's bundler copies every binary of src-tauri; minimal_window (the benches' reference
# window) has no place in the package: a placeholder here, taken out of the deb below
: >"$STAGE/$profile/minimal_window"
# xz for a union's packages; gzip for CI's debug ones (much faster to make, twice the size)
Z=xz
[ "$profile" = release ] || Z=gzip
# the commit the binaries were built from (build.rs), as `sene --version` says it
COMMIT=$(SENE_LANG=en "$STAGE/$profile/sene" --version | sed -n 's/.*, commit \([0-9a-f]*\))$/\1/p')
echo "   commit ${COMMIT:-inconnu}"

# shlibs BINARY — the Debian packages of the shared libraries it links (dpkg-shlibdeps), as a
# Depends list: "libc6 (>= 2.34), libssl3 (>= 3.0.0)"
shlibs() {
  mkdir -p "$WORK/shlibs/debian"
  : >"$WORK/shlibs/debian/control"
  (cd "$WORK/shlibs" && dpkg-shlibdeps -O "$1" 2>"$WORK/shlibs.log") | sed -n 's/^shlibs:Depends=//p' \
    | grep . || { cat "$WORK/shlibs.log" >&2; echo "erreur : dpkg-shlibdeps $1" >&2; exit 1; }
}

# ---- the desktop app: Tauri's deb bundle ----
echo "== paquet de l'application de bureau (Tauri, deb)"
rm -f "$OUT"/sene_*.deb
# its Depends: sene-cli (tauri.conf.json) and what the binary links (WebKitGTK, GTK, libssl…)
desktop_depends=$(shlibs "$STAGE/$profile/sene-desktop" | sed 's/, */\n/g' \
  | { printf 'sene-cli (= %s)\n' "$VERSION"; cat; } | sed 's/.*/"&"/' | paste -sd, -)
bundle_flags=(--bundles deb --ci)
[ "$profile" = release ] || bundle_flags+=(--debug)
CARGO_TARGET_DIR="$STAGE" ui/node_modules/.bin/tauri bundle "${bundle_flags[@]}" \
  --config "{\"bundle\":{\"linux\":{\"deb\":{\"depends\":[$desktop_depends]}}}}" >"$WORK/tauri.log" 2>&1 \
  || { cat "$WORK/tauri.log" >&2; exit 1; }
desktop_deb=$(ls "$STAGE/$profile"/bundle/deb/*.deb)
# the deb as Tauri made it, less the placeholder (its file, its checksum, its size)
R="$WORK/desktop-deb"
dpkg-deb -R "$desktop_deb" "$R"
rm "$R/usr/bin/minimal_window"
sed -i '\| usr/bin/minimal_window$|d' "$R/DEBIAN/md5sums"
sed -i "s/^Installed-Size: .*/Installed-Size: $(du -sk --exclude=DEBIAN "$R" | cut -f1)/" "$R/DEBIAN/control"
dpkg-deb --root-owner-group -Z"$Z" --build "$R" "$OUT/sene_${VERSION}_${ARCH}.deb" >/dev/null

# ---- dpkg-deb from a staging folder: sene-cli, sene-hub ----
# build_deb NAME ARCH FOLDER: DEBIAN/control written by the caller; owner root, as dpkg wants it
build_deb() {
  local name=$1 arch=$2 dir=$3
  local size
  size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
  sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$dir/DEBIAN/control"
  dpkg-deb --root-owner-group -Z"$Z" --build "$dir" "$OUT/${name}_${VERSION}_${arch}.deb" >/dev/null
}

echo "== paquet sene-cli"
D="$WORK/sene-cli"
install -D -m 0755 "$STAGE/$profile/sene" "$D/usr/bin/sene"
install -d "$D/usr/share/doc/sene-cli"
printf 'Sene %s, commit %s.\nLicence : AGPL-3.0-or-later. Aide : sene --help.\n' "$VERSION" "${COMMIT:-inconnu}" \
  >"$D/usr/share/doc/sene-cli/README.fr"
mkdir -p "$D/DEBIAN"
# the binary's own needs (SQLCipher links the system's libcrypto)
cli_depends=$(shlibs "$D/usr/bin/sene")
cat >"$D/DEBIAN/control" <<EOF
Package: sene-cli
Version: $VERSION
Architecture: $ARCH
Maintainer: Sene <sene@localhost>
Installed-Size: 0
Depends: $cli_depends
Section: misc
Priority: optional
Description: Sene — la commande sene (coopératives agricoles)
 Le registre de campagne des unions de coopératives agricoles, en ligne de
 commande : membres, contrats, avances, livraisons, engrais, règlements,
 sauvegardes, synchronisation, serveur du bureau (sene hub serve).
 Sans réseau ; la même base que l'application de bureau.
EOF
build_deb sene-cli "$ARCH" "$D"

echo "== paquet sene-hub (le service du bureau)"
D="$WORK/sene-hub"
install -D -m 0644 packaging/hub/sene-hub.service "$D/lib/systemd/system/sene-hub.service"
install -D -m 0600 packaging/hub/hub.env "$D/etc/sene/hub.env"
install -D -m 0755 packaging/hub/sene-bureau "$D/usr/sbin/sene-bureau"
install -d "$D/usr/share/doc/sene-hub"
cat >"$D/usr/share/doc/sene-hub/README.fr" <<EOF
Sene $VERSION — le serveur du bureau de l'union (commit ${COMMIT:-inconnu}).
Réglages : /etc/sene/hub.env (puis systemctl restart sene-hub).
Base : /var/lib/sene ; sauvegardes : /var/backups/sene ; journal : journalctl -u sene-hub.
Commandes sur la base du bureau (en root) : sene-bureau <commande sene>.
EOF
mkdir -p "$D/DEBIAN"
install -m 0755 packaging/hub/postinst packaging/hub/prerm packaging/hub/postrm "$D/DEBIAN/"
echo /etc/sene/hub.env >"$D/DEBIAN/conffiles"
cat >"$D/DEBIAN/control" <<EOF
Package: sene-hub
Version: $VERSION
Architecture: all
Maintainer: Sene <sene@localhost>
Installed-Size: 0
Depends: sene-cli (= $VERSION), adduser, systemd
Section: misc
Priority: optional
Description: Sene — serveur de synchronisation du bureau de l'union
 Le service sene-hub : les portables des agents s'y synchronisent (réseau
 local, 3G) ; il sauvegarde la base toutes les 30 minutes. Son utilisateur
 système sene, sa base dans /var/lib/sene, ses réglages dans
 /etc/sene/hub.env, son journal dans journalctl -u sene-hub.
EOF
# the unit's package is "all": the binary is sene-cli's
build_deb sene-hub all "$D"
printf 'version=%s\ncommit=%s\nprofile=%s\n' "$VERSION" "$COMMIT" "$profile" >"$OUT/build-info"
echo "   $(cd "$OUT" && ls -s --block-size=K ./*.deb | tr '\n' ' ')"
echo "   ($(( $(date +%s) - t0 )) s)"

[ "$kit" = 1 ] || exit 0

# ---- the offline install kit ----
# A fresh Debian 12: what debootstrap installs, every package of priority required or important
# and what they depend on, at the versions of the archive's current lists (resolved by apt from
# an empty system; debootstrap chooses usr-is-merged where apt would take usrmerge and perl:
# with it named, the set is the one `debootstrap bookworm` installs, 156 packages, checked on
# 2026-12-06). Then the kit holds exactly what apt would download on such a machine, for each
# audience.
echo "== kit d'installation hors ligne"
KIT_NAME="sene-kit-$VERSION-$ARCH"
KIT="$OUT/$KIT_NAME"
rm -rf "$KIT" "$OUT/$KIT_NAME.tar"
mkdir -p "$KIT/paquets" "$KIT/dependances" "$CACHE"
cp "$OUT"/sene_"$VERSION"_"$ARCH".deb "$OUT"/sene-cli_"$VERSION"_"$ARCH".deb "$OUT"/sene-hub_"$VERSION"_all.deb "$KIT/paquets/"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
# current lists: a package superseded since the last update is no longer downloadable
$sudo apt-get update -qq

avail="$WORK/avail"
apt-cache dumpavail >"$avail"
: >"$WORK/empty"
: >"$WORK/ext"
sim() { # sim STATUS ARGS... — apt's plan on a machine whose dpkg status is STATUS
  local status=$1; shift
  apt-get -s -q -o Dir::State::status="$status" -o Dir::State::extended_states="$WORK/ext" \
    -o Debug::NoLocking=1 -o APT::Get::Show-Versions=0 install --no-install-recommends "$@"
}
# stanzas: the records of $avail for the packages named in file $1, marked installed
stanzas() {
  awk -v list="$1" 'BEGIN { while ((getline l < list) > 0) want[l] = 1; RS = ""; ORS = "\n\n" }
    { match($0, /^Package: [^\n]+/); p = substr($0, 10, RLENGTH - 9)
      if (p in want) { sub(/\n/, "\nStatus: install ok installed\n"); print } }' "$avail"
}
seeds=$(awk 'BEGIN { RS = "" } /\nPriority: (required|important)\n/ {
  match($0, /^Package: [^\n]+/); print substr($0, 10, RLENGTH - 9) }' "$avail")
# shellcheck disable=SC2086
sim "$WORK/empty" $seeds usr-is-merged >"$WORK/base.sim"
awk '/^Inst /{ print $2 }' "$WORK/base.sim" | sort -u >"$WORK/base.names"
stanzas "$WORK/base.names" >"$WORK/base.status"
# what the kit relies on, in dpkg's own format (package-test.sh checks the kit against it)
cp "$WORK/base.status" "$KIT/base-debian12.status"

# what each audience needs beyond that base: "package version" lines
plan() {
  sim "$WORK/base.status" "$@" | awk '/^Inst /{ v = $3; gsub(/[()]/, "", v); print $2, v }' \
    | grep -v -E '^sene(-cli|-hub)? ' || true
}
plan "$KIT/paquets/sene_${VERSION}_${ARCH}.deb" "$KIT/paquets/sene-cli_${VERSION}_${ARCH}.deb" >"$WORK/portable"
plan "$KIT/paquets/sene-hub_${VERSION}_all.deb" "$KIT/paquets/sene-cli_${VERSION}_${ARCH}.deb" >"$WORK/bureau"
[ -s "$WORK/portable" ] || { echo "erreur : apt ne trouve pas les dépendances de l'application" >&2; sim "$WORK/base.status" "$KIT/paquets/"*.deb >&2 || true; exit 1; }

# download what the cache lacks, then copy each into the kit
sort -u "$WORK/portable" "$WORK/bureau" >"$WORK/all"
missing=()
while read -r p v; do
  f=$(printf '%s_%s_' "$p" "${v//:/%3a}")
  compgen -G "$CACHE/$f*.deb" >/dev/null || missing+=("$p=$v")
done <"$WORK/all"
if [ ${#missing[@]} -gt 0 ]; then
  echo "   téléchargement de ${#missing[@]} paquet(s) Debian"
  (cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null)
fi
for who in portable bureau; do
  : >"$KIT/dependances/$who.list"
  while read -r p v; do
    f=$(cd "$CACHE" && compgen -G "$(printf '%s_%s_' "$p" "${v//:/%3a}")*.deb" | head -n 1)
    cp -n "$CACHE/$f" "$KIT/dependances/"
    printf '%s %s %s\n' "$p" "$v" "$f" >>"$KIT/dependances/$who.list"
  done <"$WORK/$who"
done

# the kit's apt index: install.sh's only source (each file with its size and SHA-256)
(cd "$KIT" && dpkg-scanpackages -m . /dev/null >Packages 2>"$WORK/scan.log") \
  || { cat "$WORK/scan.log" >&2; exit 1; }
install -m 0755 packaging/kit/install.sh "$KIT/install.sh"
cp CHANGELOG.md "$KIT/CHANGELOG.md"
sed "s/@VERSION@/$VERSION/g; s/@COMMIT@/${COMMIT:-inconnu}/g" packaging/kit/LISEZ-MOI.txt >"$KIT/LISEZ-MOI.txt"
(cd "$KIT" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum >SHA256SUMS)
tar -C "$OUT" -cf "$OUT/$KIT_NAME.tar" "$KIT_NAME"
echo "   $KIT_NAME : $(wc -l <"$WORK/portable") dépendance(s) pour un portable, $(wc -l <"$WORK/bureau") pour le bureau ; $(du -sh "$KIT" | cut -f1)"
echo "   ($(( $(date +%s) - t0 )) s)"
