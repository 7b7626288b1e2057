#!/usr/bin/env bash
# Sene — checks what scripts/package.sh built (artifacts/paquets/, or $SENE_PACKAGE_OUT), on this
# machine, as root (CI): it installs the packages and removes them, and leaves the machine as it
# found it (the user `sene` and /var/lib/sene, /var/backups/sene are removed when it made them).
#  1. the packages hold what they should (menu entry, icon, unit, settings) and no more;
#  2. the unit is clean for `systemd-analyze verify`;
#  3. installed with `dpkg -i`: `sene --version` names this build, `sene demo` and
#     `sene report campaign` work on a store in a temporary folder; the hub, started with the
#     unit's own ExecStart and settings (as the user `sene`), answers GET /v1/health on
#     loopback and makes its first backup; it stops on the unit's KillSignal; `dpkg --purge`
#     removes everything but the union's data;
#  4. the kit: install.sh names no remote source; every dependency of every package in it is in
#     the kit or in its fresh Debian 12 base; apt, with that base only and no source, installs
#     each audience's set; install.sh itself installs Sene in a network namespace with no
#     network at all.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${SENE_PACKAGE_OUT:-artifacts/paquets}
if [ ! -f "$OUT/build-info" ]; then
  echo "erreur : rien dans $OUT : lancez d'abord scripts/package.sh" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "erreur : package-test.sh installe et retire des paquets : lancez-le en root" >&2
  exit 1
fi
OUT=$(cd "$OUT" && pwd)
VERSION=$(sed -n 's/^version=//p' "$OUT/build-info")
COMMIT=$(sed -n 's/^commit=//p' "$OUT/build-info")
ARCH=$(dpkg --print-architecture)
DESK="$OUT/sene_${VERSION}_${ARCH}.deb"
CLI="$OUT/sene-cli_${VERSION}_${ARCH}.deb"
HUB="$OUT/sene-hub_${VERSION}_all.deb"
KIT="$OUT/sene-kit-$VERSION-$ARCH"
# the schema this build writes: its last migration's number (crates/store/src/migrations/NNNN_*.sql)
SCHEMA=$(ls crates/store/src/migrations | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -n 1)

fail() {
  echo "ÉCHEC : $*" >&2
  exit 1
}
step() { echo "== $*"; }

# one run at a time on this machine (dpkg's own lock refuses a second one rather than waiting)
exec 9>/var/lock/sene-package-test.lock
flock 9

TMP=$(mktemp -d /tmp/sene-package-test.XXXXXX)
chmod 755 "$TMP"
had_user=0; getent passwd sene >/dev/null && had_user=1
had_lib=0; [ -e /var/lib/sene ] && had_lib=1
had_bak=0; [ -e /var/backups/sene ] && had_bak=1
hub_pid=""
for p in sene sene-cli sene-hub; do
  if dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^i'; then
    fail "le paquet $p est déjà installé ici : le test installe et retire les paquets de Sene, retirez-le d'abord"
  fi
done
cleanup() {
  [ -z "$hub_pid" ] || kill -INT "$hub_pid" 2>/dev/null || true
  dpkg --purge sene-hub sene sene-cli >/dev/null 2>&1 || true
  [ "$had_user" = 1 ] || { userdel sene 2>/dev/null || true; groupdel sene 2>/dev/null || true; }
  [ "$had_lib" = 1 ] || rm -rf /var/lib/sene
  [ "$had_bak" = 1 ] || rm -rf /var/backups/sene
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---- 1. contents ----
step "contenu des paquets"
for f in "$DESK" "$CLI" "$HUB"; do [ -f "$f" ] || fail "$f manque"; done
[ "$(dpkg-deb -f "$DESK" Package)" = sene ] || fail "le paquet de bureau s'appelle $(dpkg-deb -f "$DESK" Package)"
deps=$(dpkg-deb -f "$DESK" Depends)
for d in "sene-cli (= $VERSION)" libwebkit2gtk-4.1-0 libgtk-3-0 libssl3; do
  case "$deps" in *"$d"*) ;; *) fail "le paquet de bureau ne dépend pas de $d : $deps" ;; esac
done
dpkg-deb -c "$DESK" | awk '{ print $6 }' >"$TMP/desk.files"
grep -qx './usr/bin/sene-desktop' "$TMP/desk.files" || fail "pas de /usr/bin/sene-desktop"
if grep -E '^\./usr/bin/.' "$TMP/desk.files" | grep -vqx './usr/bin/sene-desktop'; then
  fail "le paquet de bureau installe d'autres programmes : $(grep -E '^\./usr/bin/.' "$TMP/desk.files" | tr '\n' ' ')"
fi
mkdir "$TMP/desk"
dpkg-deb -x "$DESK" "$TMP/desk"
desktop=$(ls "$TMP"/desk/usr/share/applications/*.desktop)
grep -qx 'Name=Sene' "$desktop" || fail "menu : pas de Name=Sene dans $desktop"
grep -q '^Comment=.*coopératives agricoles' "$desktop" || fail "menu : pas de description en français dans $desktop"
icon=$(sed -n 's/^Icon=//p' "$desktop")
ls "$TMP"/desk/usr/share/icons/hicolor/*/apps/"$icon".png >/dev/null 2>&1 || fail "menu : l'icône $icon n'est pas dans le paquet"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
fi
dpkg-deb -c "$CLI" | awk '{ print $6 }' | grep -qx './usr/bin/sene' || fail "pas de /usr/bin/sene dans sene-cli"
dpkg-deb -c "$HUB" | awk '{ print $6 }' >"$TMP/hub.files"
for f in ./lib/systemd/system/sene-hub.service ./etc/sene/hub.env ./usr/sbin/sene-bureau; do
  grep -qx "$f" "$TMP/hub.files" || fail "$f manque dans sene-hub"
done
dpkg-deb -I "$HUB" conffiles | grep -qx /etc/sene/hub.env || fail "/etc/sene/hub.env n'est pas un fichier de configuration (conffile)"
ls -s --block-size=K "$DESK" "$CLI" "$HUB" | sed 's/^/   /'

# ---- 2 and 3. installed with dpkg -i ----
step "installation (dpkg -i)"
t0=$(date +%s%N)
dpkg -i "$CLI" "$DESK" "$HUB" >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg -i"; }
echo "   installés en $(( ($(date +%s%N) - t0) / 1000000 )) ms"
ldd /usr/bin/sene-desktop | grep -q 'not found' && fail "sene-desktop : bibliothèque introuvable : $(ldd /usr/bin/sene-desktop | grep 'not found')"
UNIT=/lib/systemd/system/sene-hub.service
step "systemd-analyze verify $UNIT"
verify=$(systemd-analyze verify "$UNIT" 2>&1) || fail "systemd-analyze verify : $verify"
[ -z "$verify" ] || fail "systemd-analyze verify n'est pas net : $verify"
getent passwd sene >/dev/null || fail "pas d'utilisateur sene"
[ "$(stat -c '%U %a' /var/lib/sene)" = "sene 750" ] || fail "/var/lib/sene : $(stat -c '%U %a' /var/lib/sene)"
[ "$(stat -c '%U %a' /etc/sene/hub.env)" = "root 600" ] || fail "/etc/sene/hub.env : $(stat -c '%U %a' /etc/sene/hub.env)"

step "sene --version, demo, report campaign"
want_commit=${COMMIT:-inconnu}
got=$(sene --version)
[ "$got" = "sene $VERSION (schéma de la base $SCHEMA, commit $want_commit)" ] || fail "sene --version : $got"
echo "   $got"
got=$(SENE_LANG=en sene --version)
[ "$got" = "sene $VERSION (store schema $SCHEMA, commit ${COMMIT:-unknown})" ] || fail "SENE_LANG=en sene --version : $got"
if [ -n "$COMMIT" ]; then
  git cat-file -e "$COMMIT^{commit}" || fail "le commit $COMMIT n'est pas dans le dépôt"
fi
(
  cd "$TMP"
  export SENE_STORE="$TMP/portable/sene.sqlite"
  mkdir -p "$TMP/portable"
  sene demo >"$TMP/demo.out" || { cat "$TMP/demo.out" >&2; exit 1; }
  sene report campaign >"$TMP/report.out" || { cat "$TMP/report.out" >&2; exit 1; }
  sene report campaign --json >"$TMP/report.json"
) || fail "sene demo / report campaign"
grep -q . "$TMP/report.out" || fail "sene report campaign n'affiche rien"
grep -q '"campaign' "$TMP/report.json" || fail "sene report campaign --json : $(head -c 300 "$TMP/report.json")"
sed 's/^/   /' "$TMP/report.out" | head -n 6

step "le serveur du bureau, lancé comme par le service"
install -d -o sene -g sene -m 0750 "$TMP/hub"
runuser -u sene -- env SENE_STORE="$TMP/hub/bureau.sqlite" /usr/bin/sene demo >/dev/null
execstart=$(sed -n 's/^ExecStart=//p' "$UNIT")
condition=$(sed -n 's/^ExecCondition=//p' "$UNIT")
user=$(sed -n 's/^User=//p' "$UNIT")
envfile=$(sed -n 's/^EnvironmentFile=//p' "$UNIT")
killsignal=$(sed -n 's/^KillSignal=//p' "$UNIT")
[ "$envfile" = /etc/sene/hub.env ] || fail "EnvironmentFile=$envfile"
# a free port on loopback
port=""
for _ in $(seq 1 50); do
  p=$(( 20000 + RANDOM % 20000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || fail "aucun port libre"
read -r -a cmd <<<"$execstart"
(
  # the unit's settings, then this test's own store, loopback port and backup folder
  set -a
  # shellcheck disable=SC1090
  . "$envfile"
  set +a
  export SENE_STORE="$TMP/hub/bureau.sqlite" SENE_HUB_LISTEN="127.0.0.1:$port" SENE_HUB_BACKUP_DIR="$TMP/hub/sauvegardes"
  HOME=$(getent passwd "$user" | cut -d: -f6)
  export HOME
  # the unit's ExecCondition, as systemd would expand it
  ${condition//\$\{SENE_STORE\}/$SENE_STORE} || { echo "ExecCondition faux" >&2; exit 1; }
  # as systemd does: the unit's user and group, then the command itself (no process between)
  exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs -- "${cmd[@]}"
) >"$TMP/hub.log" 2>&1 &
hub_pid=$!
health=""
for _ in $(seq 1 120); do
  health=$(curl -fsS "http://127.0.0.1:$port/v1/health" 2>/dev/null || true)
  [ -n "$health" ] && break
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.25
done
[ "$health" = ok ] || { cat "$TMP/hub.log" >&2; fail "GET /v1/health ne répond pas ok (${health:-rien})"; }
echo "   GET http://127.0.0.1:$port/v1/health → $health"
for _ in $(seq 1 120); do
  compgen -G "$TMP/hub/sauvegardes/sene-*.sqlite" >/dev/null && break
  sleep 0.25
done
compgen -G "$TMP/hub/sauvegardes/sene-*.sqlite" >/dev/null || { cat "$TMP/hub.log" >&2; fail "pas de sauvegarde au démarrage dans SENE_HUB_BACKUP_DIR"; }
kill -s "${killsignal#SIG}" "$hub_pid"
code=0
wait "$hub_pid" || code=$?
hub_pid=""
[ "$code" = 0 ] || { cat "$TMP/hub.log" >&2; fail "le serveur s'arrête sur $killsignal avec le code $code"; }
echo "   arrêté par $killsignal (code 0)"

step "désinstallation (dpkg --purge)"
dpkg --purge sene-hub sene sene-cli >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg --purge"; }
for f in /usr/bin/sene /usr/bin/sene-desktop "$UNIT" /etc/sene/hub.env /usr/sbin/sene-bureau; do
  [ ! -e "$f" ] || fail "$f reste après dpkg --purge"
done
[ -d /var/lib/sene ] || fail "/var/lib/sene (les données de l'union) a été effacé"

# ---- 4. the kit ----
step "le kit hors ligne"
[ -d "$KIT" ] || fail "pas de kit : $KIT"
# no remote source: no URL, no downloader; apt's one source is the kit's own folder (file:),
# and every apt-get call goes through kit_apt, which names that source and nothing else
if grep -nE 'https?:|ftp:|wget|curl|sources\.list|/etc/apt' "$KIT/install.sh"; then
  fail "install.sh nomme une source distante ou celles du système"
fi
grep -q 'echo "deb \[trusted=yes\] file:' "$KIT/install.sh" || fail "install.sh : sa source n'est pas le dossier du kit"
if grep -n 'apt-get' "$KIT/install.sh" | grep -v 'command -v apt-get\|apt-get -q -o APT::Sandbox::User=root \\$\|apt-get et dpkg'; then
  fail "install.sh appelle apt-get hors de kit_apt"
fi
grep -A3 '^kit_apt() {' "$KIT/install.sh" | grep -q 'Dir::Etc::SourceList="$work/kit.list" -o Dir::Etc::SourceParts="$work/sources.d"' \
  || fail "kit_apt ne limite pas apt à la source du kit"
(cd "$KIT" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS du kit"
# what is assumed there: the kit's base, "name version provided,names"
awk 'BEGIN { RS = "" } {
  p = ""; v = ""; pr = ""
  n = split($0, l, "\n")
  for (i = 1; i <= n; i++) {
    if (l[i] ~ /^Package: /) p = substr(l[i], 10)
    else if (l[i] ~ /^Version: /) v = substr(l[i], 10)
    else if (l[i] ~ /^Provides: /) pr = substr(l[i], 11)
  }
  gsub(/ *\([^)]*\)/, "", pr); gsub(/ /, "", pr)
  print p, v, (pr == "" ? "-" : pr) }' "$KIT/base-debian12.status" >"$TMP/have"
for f in "$KIT"/paquets/*.deb "$KIT"/dependances/*.deb; do
  pr=$(dpkg-deb -f "$f" Provides | sed 's/ *([^)]*)//g; s/ //g')
  echo "$(dpkg-deb -f "$f" Package) $(dpkg-deb -f "$f" Version) ${pr:--}"
done >>"$TMP/have"
awk '{ print $1, $2; if ($3 != "-") { n = split($3, a, ","); for (i = 1; i <= n; i++) print a[i], "virtual" } }' "$TMP/have" >"$TMP/names"
# satisfied NAME [OP VERSION]: a package of the kit or the base has it (any version of a
# virtual package)
satisfied() {
  local name=${1%:any} op=${2:-} ver=${3:-} v
  while read -r v; do
    [ -z "$op" ] && return 0
    [ "$v" = virtual ] && return 0
    dpkg --compare-versions "$v" "$op" "$ver" && return 0
  done < <(awk -v n="$name" '$1 == n { print $2 }' "$TMP/names")
  return 1
}
unmet=0
checked=0
for f in "$KIT"/paquets/*.deb "$KIT"/dependances/*.deb; do
  for field in Pre-Depends Depends; do
    dpkg-deb -f "$f" "$field" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep . >"$TMP/clauses" || true
    while read -r clause; do
      checked=$((checked + 1))
      ok=0
      IFS='|' read -r -a alts <<<"$clause"
      for alt in "${alts[@]}"; do
        alt=$(echo "$alt" | sed 's/^ *//; s/ *$//')
        name=${alt%% *}
        if [[ "$alt" =~ \((\<\<|\<=|=|\>=|\>\>)\ *([^\)]*)\) ]]; then
          op=${BASH_REMATCH[1]}; ver=${BASH_REMATCH[2]}
          case "$op" in '<<') op=lt ;; '<=') op=le ;; '=') op=eq ;; '>=') op=ge ;; '>>') op=gt ;; esac
          satisfied "$name" "$op" "$ver" && { ok=1; break; }
        else
          satisfied "$name" && { ok=1; break; }
        fi
      done
      if [ "$ok" = 0 ]; then
        echo "   $(basename "$f") : $field « $clause » ni dans le kit, ni dans Debian 12 de base" >&2
        unmet=$((unmet + 1))
      fi
    done <"$TMP/clauses"
  done
done
[ "$unmet" = 0 ] || fail "$unmet dépendance(s) hors du kit et de la base"
echo "   $checked dépendances de $(ls "$KIT"/paquets/*.deb "$KIT"/dependances/*.deb | wc -l) paquets : toutes dans le kit ou dans la base ($(wc -l <"$TMP/have") paquets)"
# apt itself, on a machine that has only the base, with the kit as its only source: what
# install.sh runs, for each audience
mkdir -p "$TMP/apt/lists/partial" "$TMP/apt/archives/partial" "$TMP/apt/sources.d"
echo "deb [trusted=yes] file:$KIT ./" >"$TMP/apt/kit.list"
: >"$TMP/apt/ext"
kit_sim() {
  apt-get -q -o APT::Sandbox::User=root -o Debug::NoLocking=1 \
    -o Dir::State::status="$KIT/base-debian12.status" -o Dir::State::extended_states="$TMP/apt/ext" \
    -o Dir::Etc::SourceList="$TMP/apt/kit.list" -o Dir::Etc::SourceParts="$TMP/apt/sources.d" \
    -o Dir::State::Lists="$TMP/apt/lists" -o Dir::Cache::Archives="$TMP/apt/archives" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
}
kit_sim update >/dev/null 2>&1 || fail "apt ne lit pas l'index du kit (Packages)"
for who in "portable:sene-cli sene" "bureau:sene-cli sene-hub"; do
  # shellcheck disable=SC2086
  kit_sim -s install --no-install-recommends ${who#*:} >"$TMP/sim" 2>&1 \
    || { cat "$TMP/sim" >&2; fail "apt, sur une Debian 12 de base avec le kit pour seule source, ne sait pas installer « ${who%%:*} »"; }
  echo "   ${who%%:*} : apt installerait $(grep -c '^Inst ' "$TMP/sim") paquets, le kit pour seule source, sur une Debian 12 de base"
done

step "install.sh tout, sans aucun réseau (unshare -n)"
t0=$(date +%s%N)
unshare -n sh "$KIT/install.sh" tout >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; fail "install.sh tout"; }
echo "   installé en $(( ($(date +%s%N) - t0) / 1000000 )) ms"
for p in sene sene-cli sene-hub; do
  [ "$(dpkg-query -W -f '${Version}' "$p")" = "$VERSION" ] || fail "$p n'est pas installé par install.sh"
done
[ "$(sene --version)" = "sene $VERSION (schéma de la base $SCHEMA, commit $want_commit)" ] || fail "sene --version après install.sh"
dpkg --purge sene-hub sene sene-cli >/dev/null
echo "== paquets : tout est bon"
