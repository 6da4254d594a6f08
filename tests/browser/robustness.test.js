// Robustness of the page as a hostile link and a long lesson would try it (issue 18):
// - the page's results download is the CLI's `run --json` for the same link, to the byte, across the journeys
//   and faults (one maths library natively and in wasm);
// - 120 seeded mangled links all render, keep the console silent and leave the main thread answering;
// - a soak of 1,000 load-slider moves and 100 stage changes leaves the JS heap, the DOM and the listeners flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useSite, openPage, openReady, ROOT, DESKTOP } from './harness.js';

const ctx = useSite();

/** The CLI as `cargo test --workspace --all-features` built it, wherever cargo's target directory is. */
function cli() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: ROOT }).toString());
  const path = join(meta.target_directory, 'debug', 'scalesim');
  assert.ok(existsSync(path), `the CLI (${path}) is built by \`cargo test --workspace --all-features\` before the browser tests`);
  return path;
}

/** Links across the five journeys and the built-in stages, with faults, a daily curve and odd knobs. */
const LINKS = [
  '?journey=scalesim&step=1',
  '?journey=bookmarks&step=4',
  '?journey=blog&step=6&faults=flush_cache@30',
  '?journey=interview&step=9&faults=deploy@60',
  '?journey=startup&step=3&users=40000',
  '?v=1&stage=3&users=10000&faults=kill_db@60',
  '?v=1&stage=6&users=50000&faults=kill_app@120,spike@200&ttl=45',
  '?v=1&stage=8&users=200000&curve=1&dur=3600&seed=7',
  '?v=1&stage=10&users=1000000&faults=write_burst@50&zipf=1.3',
  '?v=1&stage=12&users=3000000&faults=kill_region@100,downstream@150&retries=2&breaker=1',
];

test('the results download is the CLI\'s run --json for the same link, to the byte', async () => {
  const bin = cli();
  const page = await openReady(ctx, LINKS[0]);
  for (const link of LINKS) {
    await page.goto(ctx.site.url + link);
    await page.locator('#bottleneck-status').waitFor();
    // The address bar holds the whole scenario once the page has written it.
    await page.waitForURL(/[?&]seed=/);
    const search = new URL(page.url()).search;
    const results = page.getByRole('link', { name: 'Results (JSON)' });
    await results.focus();
    const href = await results.getAttribute('href');
    assert.ok(href.startsWith('data:application/json'), `${link}: the download is filled on focus`);
    const fromPage = decodeURIComponent(href.slice(href.indexOf(',') + 1));
    const fromCli = execFileSync(bin, ['run', '--scenario', search, '--json']).toString().trimEnd();
    if (fromPage !== fromCli) {
      const a = fromPage.split('\n');
      const b = fromCli.split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      assert.fail(`${link}: the page and the CLI differ first at line ${i + 1}: page ${a[i]} / CLI ${b[i]}`);
    }
    const parsed = JSON.parse(fromPage);
    const m = parsed.measured_counts;
    assert.equal(parsed.error_rate, m.offered > 0 ? m.rejected / m.offered : 0, `${link}: error_rate is its window's`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** A small seeded generator (mulberry32), so the mangled links are the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['v', 'stage', 'users', 'seed', 'dur', 'rpu', 'peak', 'rw', 'ttl', 'app', 'size', 'replicas', 'redis', 'shards',
  'regions', 'services', 'faults', 'asg', 'asg_min', 'asg_max', 'asg_desired', 'queue', 'workers', 'lock', 'panels', 'embed',
  't', 'journey', 'step', 'a', 'goals', 'hints', 'allow', 'challenge', 'origin', 'curve', 'cdn', 'sessions', 'lb', 'zz'];
const VALUES = ['NaN', 'Infinity', '-Infinity', '-1', '0', '1e400', '9'.repeat(40), '0x1F', '1,5', '', '%', '%zz', '%00',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '\u202e\u0000', 'x'.repeat(5000),
  'kill_app@-5', 'kill_app@NaN,spike@1e99', 'spike@', '@@@', 'kill_db@10,kill_db@10,kill_db@10', 'p99_ms<=', 'users,ttl,stage',
  'diagram,nope', 'https://evil.example', '12', '3.5', '1000000000', 'des', 'm5.large', 'redis'];

function mangled(next) {
  const pairs = [];
  const n = 1 + Math.floor(next() * 8);
  for (let i = 0; i < n; i++) {
    const key = KEYS[Math.floor(next() * KEYS.length)];
    const value = VALUES[Math.floor(next() * VALUES.length)];
    // Half the values are percent-encoded as a link would carry them, half go in raw.
    pairs.push(`${key}=${next() < 0.5 ? encodeURIComponent(value) : value}`);
  }
  return '?' + pairs.join(next() < 0.1 ? ';' : '&') + (next() < 0.1 ? '#' + VALUES[Math.floor(next() * VALUES.length)] : '');
}

test('120 seeded mangled links render, keep the console silent and leave the main thread answering', async () => {
  const next = rng(18);
  const page = await openPage(ctx.browser, ctx.site.url, DESKTOP);
  await page.locator('#bottleneck-status').waitFor();
  const slow = [];
  for (let i = 0; i < 120; i++) {
    const link = mangled(next);
    page.messages.length = 0;
    await page.goto(ctx.site.url + link);
    await page.locator('#bottleneck-status').waitFor({ timeout: 5_000 });
    // The main thread answers: a task posted now runs within 2 s.
    const started = Date.now();
    await page.evaluate(() => new Promise((ok) => setTimeout(ok, 0)));
    const waited = Date.now() - started;
    if (waited > 2_000) slow.push(`${link}: ${waited} ms`);
    assert.deepEqual(page.messages, [], `${link}: the console stays silent`);
    // Something is drawn: the diagram and the headline figures are there.
    assert.ok(await page.locator('svg').first().isVisible(), `${link}: the diagram is drawn`);
    const p99 = await page.locator('[data-metric="p99"]').textContent();
    assert.ok(!/NaN|undefined|Infinity/.test(p99), `${link}: p99 reads ${p99}`);
  }
  assert.deepEqual(slow, [], 'the main thread answered within 2 s after every link');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** The heap after a forced collection, the DOM's nodes and the live event listeners, from Chromium's metrics. */
async function footprint(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { heap: get('JSHeapUsedSize'), nodes: get('Nodes'), listeners: get('JSEventListeners') };
}

/** Moves the load slider `n` times, as dragging does (input events), letting the page paint every ten moves. */
async function dragSlider(page, n, from) {
  await page.evaluate(
    async ({ n, from }) => {
      const slider = document.getElementById('users');
      const max = Number(slider.max);
      for (let i = 0; i < n; i++) {
        slider.value = String((from + i * 7) % (max + 1));
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        if (i % 10 === 9) await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
      }
    },
    { n, from },
  );
}

async function changeStages(page, n) {
  const stage = page.getByLabel('Stage', { exact: true });
  const count = await stage.locator('option').count();
  for (let i = 0; i < n; i++) {
    await stage.selectOption(String(1 + ((i * 5) % count)));
  }
}

/** The same state before each measurement: stage 6, the slider at one position, the run finished. */
async function settle(page) {
  await page.getByLabel('Stage', { exact: true }).selectOption('6');
  await page.evaluate(() => {
    const slider = document.getElementById('users');
    slider.value = '20';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForTimeout(1_000);
}

test('a soak of 1,000 slider moves and 100 stage changes leaves heap, DOM and listeners flat', async () => {
  const page = await openReady(ctx, '?v=1&stage=6&users=20000');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  // Warm up first: the first visit to each stage and chart allocates what the page then reuses.
  await dragSlider(page, 100, 0);
  await changeStages(page, 12);
  await settle(page);
  const before = await footprint(cdp);
  await dragSlider(page, 1_000, 3);
  await changeStages(page, 100);
  await settle(page);
  const after = await footprint(cdp);
  console.log(`soak: heap ${(before.heap / 1e6).toFixed(1)} → ${(after.heap / 1e6).toFixed(1)} MB, DOM nodes ${before.nodes} → ${after.nodes}, listeners ${before.listeners} → ${after.listeners}`);
  for (const key of ['heap', 'nodes', 'listeners']) {
    assert.ok(Number.isFinite(before[key]) && before[key] > 0, `${key} is measured`);
    assert.ok(after[key] <= before[key] * 1.1, `${key} grew more than 10 %: ${before[key]} → ${after[key]}`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
