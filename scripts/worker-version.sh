#!/bin/sh
# Trunk post-build hook: the exact engine's worker files keep fixed names (Trunk does not hash a worker's), so
# their content hash goes into index.html's <meta name="scalesim-worker">, and the page loads the worker with it
# as a query (src/exact/mod.rs, public/exact-worker.js). A new build therefore never runs a stale cached worker.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
version=$(cat "$dir/exact-worker_bg.wasm" "$dir/exact-worker.js" | sha256sum | cut -c1-16)
sed -i "s/<meta name=\"scalesim-worker\" content=\"[^\"]*\"/<meta name=\"scalesim-worker\" content=\"$version\"/" "$dir/index.html"
