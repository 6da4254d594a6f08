// Loads the exact engine's module into this worker. Trunk does not content-hash a worker's files, so the page
// passes the build's version as ?v=… and it is carried to both files: a new build is never run from a stale cache.
const version = new URL(self.location.href).searchParams.get('v') || '';
const suffix = version ? `?v=${encodeURIComponent(version)}` : '';
importScripts(`../exact-worker.js${suffix}`);
wasm_bindgen({ module_or_path: `../exact-worker_bg.wasm${suffix}` });
