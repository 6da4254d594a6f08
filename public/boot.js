// Starts scalesim without an inline script, so a Content-Security-Policy can forbid inline scripts.
// Trunk writes this tag with the hashed file names (Trunk.toml, pattern_script); this module loads them.
const tag = document.querySelector('script[data-js][data-wasm]');
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(tag.dataset.wasm, document.baseURI).href });
