#!/usr/bin/env bash
# Set-up command 1: installs what is missing, then builds and serves scalesim at http://127.0.0.1:8080/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_build_tools
PORT="${PORT:-8080}"
log "serving scalesim at http://127.0.0.1:${PORT}/ (Ctrl-C stops)"
cd "$ROOT"
exec trunk serve --offline --release --port "$PORT"
