#!/usr/bin/env bash
# Installs, once, what building and testing scalesim needs. Sourced by serve.sh and test.sh; every step checks
# first and skips what is already there, so a second run costs seconds. Everything comes from the Rust, npm and
# Debian registries; nothing is fetched from anywhere else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[scalesim]\033[0m %s\n' "$*"; }

# The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then return; fi
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_trunk() {
  if command -v trunk >/dev/null && trunk --version | grep -q "$TRUNK_VERSION"; then return; fi
  log "installing trunk $TRUNK_VERSION (takes several minutes once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
}

ensure_wasm_bindgen() {
  local want; want="$(wasm_bindgen_version)"
  if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $want\$"; then return; fi
  log "installing wasm-bindgen-cli $want (the version in Cargo.lock)"
  # Not --locked: one of its locked dependencies is missing from the registry.
  cargo install wasm-bindgen-cli --version "$want" --force
}

ensure_wasm_opt() {
  if command -v wasm-opt >/dev/null && [ "$(wasm-opt --version | grep -oE '[0-9]+' | head -1)" -ge 120 ]; then return; fi
  log "installing wasm-opt (binaryen from npm)"
  npm install -g binaryen@132
}

ensure_lint_tools() {
  local have; have="$(rustup component list --installed)"
  for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$have"; then log "adding the $c component"; rustup component add "$c"; fi
  done
}

# The checks that keep the house clean, before any test: formatting, clippy on the library (natively, every
# feature and target) and on the page (for wasm32, as it ships), and the library's docs, all with warnings denied.
lint() {
  log "cargo fmt --check"
  (cd "$ROOT" && cargo fmt --all --check)
  log "cargo clippy (sim-core native, all features and targets; the page for wasm32) -D warnings"
  (cd "$ROOT" && cargo clippy -p sim-core --all-features --all-targets -- -D warnings)
  (cd "$ROOT" && cargo clippy -p scalesim-web --target wasm32-unknown-unknown -- -D warnings)
  log "cargo doc (sim-core, warnings denied)"
  (cd "$ROOT" && RUSTDOCFLAGS="-D warnings" cargo doc -p sim-core --all-features --no-deps)
}

ensure_build_tools() {
  ensure_lint_tools
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
}

ensure_browser() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  log "installing Debian chromium and chromium-driver"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-driver
}

ensure_browser_test_deps() {
  local dir="$ROOT/tests/browser"
  if [ -d "$dir/node_modules/playwright-core" ] && [ -d "$dir/node_modules/axe-core" ] \
     && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then return; fi
  log "installing the browser tests' npm packages from the lockfile"
  (cd "$dir" && npm ci --no-audit --no-fund)
}

# Builds the release site into dist/.
build_site() {
  log "building dist/ (trunk build --release --offline)"
  (cd "$ROOT" && trunk build --release --offline)
}
