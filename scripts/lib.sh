# Shared by scripts/run.sh and scripts/test.sh: installs what a fresh machine lacks (idempotent:
# each Debian package is checked with dpkg, the npm packages with npm ci).

# apt_need PKG... — installs the packages that are not installed yet.
apt_need() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installation des paquets système manquants : ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "erreur : Rust (cargo) est introuvable ; installez-le avec rustup puis relancez." >&2
    exit 1
  fi
}

need_node() {
  if ! command -v npm >/dev/null 2>&1; then
    apt_need nodejs npm
  fi
}

# ui_build — installs the front end's locked packages (when package-lock.json changed) and builds
# ui/dist, which the desktop binary embeds.
ui_build() {
  need_node
  (
    cd ui
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    npm run build --silent
  )
}
