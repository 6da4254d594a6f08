// Measures the page in headless Chromium (run: node tests/browser/measure.mjs after a release build):
// - first render: navigation start to the first complete view (bottleneck status, diagram and charts drawn);
// - input to update: from a Users slider input event until every reactive update it causes has run (diagram,
//   metrics, table and charts redrawn), over 60 slider positions, p50 and p95: sliding the moment the page has
//   rendered (cold), and a second later (settled) at the top of the page and with charts in view;
// - transfer size: wasm + JS + CSS in dist/, gzip -9.
// Prints Markdown rows for the README. Not a test: figures depend on the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serveDist, launch, openPage, DIST, DESKTOP } from './harness.js';

const site = await serveDist();
const browser = await launch();

const firsts = [];
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      const s = document.querySelector('#bottleneck-status');
      const node = document.querySelector('.diagram .node');
      if (s && s.textContent && node && !window.__firstRender) {
        window.__firstRender = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto(site.url + '?v=1&stage=6&users=50000');
  await page.waitForFunction(() => window.__firstRender);
  firsts.push(await page.evaluate(() => window.__firstRender));
  await context.close();
}

const slideOn = (page) => page.evaluate(async () => {
  const input = document.querySelector('#users');
  const out = [];
  for (let i = 0; i < 60; i++) {
    const position = 300 + ((i * 37) % 300);
    const t0 = performance.now();
    input.value = String(position);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    out.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => r()));
  }
  return out;
});
const quantiles = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return (p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
};
// Cold: sliding the moment the page has rendered, while the browser is still optimising the wasm.
const cold = await openPage(browser, site.url + '?v=1&stage=6&users=50000', DESKTOP);
await cold.locator('#bottleneck-status').waitFor();
const q0 = quantiles(await slideOn(cold));
await cold.context().close();
// Settled: a second after the first render (the page warms the model up meanwhile), top of the page: diagram,
// metrics and table in view, charts below the fold.
const page = await openPage(browser, site.url + '?v=1&stage=6&users=50000', DESKTOP);
await page.locator('#bottleneck-status').waitFor();
await page.waitForTimeout(1000);
const slide = () => slideOn(page);
const q = quantiles(await slide());
// Scrolled so that the table and the first charts are in view as well.
await page.locator('#chart-latency').scrollIntoViewIfNeeded();
await page.waitForTimeout(200);
const qc = quantiles(await slide());
const firstSorted = [...firsts].sort((a, b) => a - b);

const files = readdirSync(DIST).filter((f) => /\.(wasm|js|css)$/.test(f));
let raw = 0;
let gz = 0;
for (const f of files) {
  const body = readFileSync(join(DIST, f));
  raw += body.length;
  gz += gzipSync(body, { level: 9 }).length;
}

console.log(`| first render on localhost (median of 5) | ${firstSorted[2].toFixed(0)} ms |`);
console.log(`| slider input to all updates done, sliding as soon as the page has rendered, p50 / p95 (60 inputs) | ${q0(0.5).toFixed(1)} ms / ${q0(0.95).toFixed(1)} ms |`);
console.log(`| the same a second after the first render, top of page, p50 / p95 (60 inputs) | ${q(0.5).toFixed(1)} ms / ${q(0.95).toFixed(1)} ms |`);
console.log(`| the same with four charts in view, p50 / p95 | ${qc(0.5).toFixed(1)} ms / ${qc(0.95).toFixed(1)} ms |`);
console.log(`| wasm + JS + CSS | ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip |`);
if (page.problems.length) console.log('problems:', page.problems);
await browser.close();
await site.close();
