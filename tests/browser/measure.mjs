// Measures the page in headless Chromium (run: node tests/browser/measure.mjs after a release build):
// - first render: navigation start to the first complete view (bottleneck status, diagram and charts drawn);
// - input to update: from a Users slider input event until every reactive update it causes has run (diagram,
//   metrics, table and charts redrawn), over 60 slider positions, p50 and p95: sliding the moment the page has
//   rendered (cold), and a second later (settled) at the top of the page and with charts in view;
// - the planner's searches in the page (limit and cheapest design) and the longest task while they ran;
// - exact mode: the request-level engine in the page's worker on the criterion bench's des_trace scenarios (stage 6
//   scaled to stay healthy at 1k, 10k and 100k req/s, tracing on at 10/s as the page runs it), wall ms per
//   simulated second by the worker's own clock (median of 3), and timeline input to all updates while a long exact
//   run streams;
// - transfer size: the initial bundle (wasm + JS + CSS the page loads) and the worker's module, gzip -9.
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

// The planner's searches in the page, a slice of a few ms at a time: the limit (re-searched when the objective
// changes) and the cheapest design for 100,000 users from stage 4, from the input to the answer on screen, with
// the longest task the browser saw meanwhile (what input could have waited behind).
const planner = await openPage(browser, site.url + '?v=1&stage=4&users=1000', DESKTOP);
await planner.locator('[data-plan="limit"]').waitFor();
await planner.waitForTimeout(500);
const plannerTimes = await planner.evaluate(async () => {
  let longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
  }).observe({ type: 'longtask', buffered: false });
  const until = (f) => new Promise((resolve) => {
    const tick = () => (f() ? resolve() : requestAnimationFrame(tick));
    tick();
  });
  const limits = [];
  for (const p99 of [250, 150, 300, 120, 200]) {
    const input = document.querySelector('#plan-p99');
    const t0 = performance.now();
    input.value = String(p99);
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await until(() => document.querySelector('[data-plan="limit"]')?.textContent.includes(`p99 within ${p99} ms`));
    limits.push(performance.now() - t0);
  }
  const cheapest = [];
  for (let i = 0; i < 3; i++) {
    const users = document.querySelector('#plan-users');
    users.value = String(100000 + i);
    users.dispatchEvent(new Event('change', { bubbles: true }));
    const t0 = performance.now();
    document.querySelector('[data-plan="find-cheapest"]').click();
    await until(() => document.querySelector('[data-plan="cheapest"]')?.textContent.includes(`${(100000 + i).toLocaleString('en-US')} users`));
    cheapest.push(performance.now() - t0);
  }
  return { limits, cheapest, longest };
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await planner.context().close();

// Exact mode in the worker, on the bench's scenarios (sim-core/benches/engines.rs, cache_and_replicas_at).
const exactRuns = [];
for (const [name, rps, dur] of [['1k', 1e3, 60], ['10k', 1e4, 20], ['100k', 1e5, 5]]) {
  const app = Math.max(3, Math.ceil(rps / 250));
  const replicas = Math.min(10, Math.max(2, Math.ceil(rps / 2500)));
  const link = `?v=1&stage=6&users=1000000&rpu=${rps / 2e6}&app=${app}&replicas=${replicas}&dur=${dur}&engine=des`;
  const perSecond = [];
  for (let i = 0; i < 3; i++) {
    const p = await openPage(browser, site.url + link, DESKTOP);
    const done = p.locator('[data-wall-ms]');
    await done.waitFor({ timeout: 120_000 });
    perSecond.push(Number(await done.getAttribute('data-wall-ms')) / dur);
    await p.context().close();
  }
  exactRuns.push([name, median(perSecond)]);
}
// Timeline input while a long exact run (about 4.8 million requests) streams into the charts.
const busy = await openPage(browser, site.url + '?v=1&stage=6&users=40000&dur=1200&engine=des', DESKTOP);
await busy.locator('.exact progress').waitFor({ timeout: 60_000 });
await busy.locator('#chart-latency').scrollIntoViewIfNeeded();
const scrub = await busy.evaluate(async () => {
  const input = document.querySelector('#timeline');
  const out = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    input.value = String(60 + ((i * 97) % 1100));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    out.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => r()));
  }
  return { out, running: !!document.querySelector('.exact progress') };
});
const qs = quantiles(scrub.out);
await busy.context().close();

const sizes = (files) => {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const body = readFileSync(join(DIST, f));
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  return [raw, gz];
};
const everything = readdirSync(DIST).filter((f) => /\.(wasm|js|css)$/.test(f));
const [raw, gz] = sizes([...everything.filter((f) => !f.startsWith('exact-worker')), 'public/boot.js']);
const [wraw, wgz] = sizes([...everything.filter((f) => f.startsWith('exact-worker')), 'public/exact-worker.js']);

console.log(`| first render on localhost (median of 5) | ${firstSorted[2].toFixed(0)} ms |`);
console.log(`| slider input to all updates done, sliding as soon as the page has rendered, p50 / p95 (60 inputs) | ${q0(0.5).toFixed(1)} ms / ${q0(0.95).toFixed(1)} ms |`);
console.log(`| the same a second after the first render, top of page, p50 / p95 (60 inputs) | ${q(0.5).toFixed(1)} ms / ${q(0.95).toFixed(1)} ms |`);
console.log(`| the same with four charts in view, p50 / p95 | ${qc(0.5).toFixed(1)} ms / ${qc(0.95).toFixed(1)} ms |`);
console.log(`| planner: the limit re-searched after the objective changes, input to answer (median of 5) | ${median(plannerTimes.limits).toFixed(0)} ms |`);
console.log(`| planner: cheapest design for 100,000 users from stage 4, click to answer (median of 3) | ${median(plannerTimes.cheapest).toFixed(0)} ms |`);
console.log(`| planner: longest task while they ran | ${plannerTimes.longest.toFixed(0)} ms (0: none over 50 ms) |`);
for (const [name, ms] of exactRuns) {
  console.log(`| exact mode in the browser worker, ${name} req/s with tracing: wall time per simulated second (median of 3) | ${ms.toFixed(1)} ms |`);
}
console.log(`| timeline input to all updates while an exact run streams, p50 / p95 (60 inputs${scrub.running ? '' : '; the run ended before the last'}) | ${qs(0.5).toFixed(1)} ms / ${qs(0.95).toFixed(1)} ms |`);
console.log(`| initial bundle: wasm + JS + CSS the page loads | ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip |`);
console.log(`| exact engine's worker module (loaded on first use) | ${(wraw / 1024).toFixed(0)} KB raw, ${(wgz / 1024).toFixed(0)} KB gzip |`);
if (page.problems.length) console.log('problems:', page.problems);
await browser.close();
await site.close();
