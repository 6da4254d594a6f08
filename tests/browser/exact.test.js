// Exact mode in a real browser: the worker's module is fetched only when exact mode is asked for (never on first
// render, nor while the learner works the page); the charts then fill from the worker and say whose lines they
// are; the link records engine=des and reopens in exact mode; the request-level engine in the worker answers what
// `scalesim run --engine des` answers natively for the same link; a run too big for a page is refused naming the
// fields to change, and the rest of the page keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { useSite, openReady, screenshot, cli, PHONE, DESKTOP } from './harness.js';

const ctx = useSite();
const STAGE = '?v=1&stage=6&users=2000';
const WORKER = /exact-worker/;

/** Records the URLs the page (and its workers) fetch from now on. */
function recordFetches(page) {
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** Waits until the exact run is complete and returns the panel. */
async function complete(page) {
  const panel = page.getByRole('region', { name: 'Exact engine' });
  await panel.getByText(/^Exact run complete: [\d,]+ events in [\d.]+ s\./).waitFor({ timeout: 60_000 });
  return panel;
}

test('the worker is fetched only when exact mode is asked for, then the charts fill from it', async () => {
  const page = await openReady(ctx, STAGE);
  const fetched = recordFetches(page);
  // Work the page as a learner would: the load slider, a knob, the charts in view.
  await page.getByRole('slider', { name: /Users/ }).focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#chart-latency').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  assert.deepEqual(fetched.filter((u) => WORKER.test(u)), [], 'no worker file before exact mode');
  const performance = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  assert.ok(!performance.some((u) => WORKER.test(u)), 'nothing of the worker since the page opened');

  const toggle = page.getByRole('button', { name: 'Run exact' });
  await toggle.click();
  const panel = await complete(page);
  assert.equal(await panel.getByRole('button', { name: 'Back to the aggregate engine' }).getAttribute('aria-pressed'), 'true');
  // The loader and both module files, each carrying the build's version (worker files are not content-hashed).
  const version = await page.locator('meta[name=scalesim-worker]').getAttribute('content');
  assert.match(version, /^[0-9a-f]{16}$/, 'the build stamped the worker version');
  const worker = fetched.filter((u) => WORKER.test(u)).map((u) => new URL(u));
  // (The loader may be asked for twice: the page first checks that the browser lets it start a worker.)
  assert.deepEqual([...new Set(worker.map((u) => u.pathname.split('/').slice(-2).join('/')))].sort(), [
    'public/exact-worker.js',
    'scalesim/exact-worker.js',
    'scalesim/exact-worker_bg.wasm',
  ]);
  assert.ok(worker.every((u) => u.searchParams.get('v') === version), worker.map(String).join(' '));
  // The charts are the request-level engine's, and say so.
  const latency = page.locator('#chart-latency');
  await latency.scrollIntoViewIfNeeded();
  await assert.doesNotReject(latency.locator('figcaption').getByText('Latency · exact engine').waitFor());
  assert.match(await latency.locator('canvas').getAttribute('aria-label'), /^Exact engine\. Latency/);
  await page.waitForURL(/&engine=des/);
  // Back to the aggregate engine: the link forgets the engine and the charts are the page's own again.
  await panel.getByRole('button', { name: 'Back to the aggregate engine' }).click();
  await page.waitForURL((u) => !u.search.includes('engine='));
  assert.doesNotMatch(await latency.locator('canvas').getAttribute('aria-label'), /^Exact engine/);
  await screenshot(page, 'exact-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a link with engine=des opens in exact mode and the worker answers what the CLI answers natively', async () => {
  const page = await openReady(ctx, `${STAGE}&engine=des`, PHONE);
  const panel = await complete(page);
  assert.equal(await panel.getByRole('button', { name: 'Back to the aggregate engine' }).getAttribute('aria-pressed'), 'true');
  await page.waitForURL(/&engine=des/);
  const figures = panel.locator('[data-exact-p99]');
  const [p99, errors, aggregate] = await Promise.all(
    ['data-exact-p99', 'data-exact-errors', 'data-aggregate-p99'].map((a) => figures.getAttribute(a)).map((p) => p.then(Number)),
  );
  const link = new URL(page.url()).search;
  const des = JSON.parse(execFileSync(cli(), ['run', '--scenario', link, '--engine', 'des', '--json']).toString());
  const fluid = JSON.parse(execFileSync(cli(), ['run', '--scenario', link, '--json']).toString());
  assert.equal(p99, des.latency_ms.p99, `page (wasm worker) p99 ${p99} vs CLI ${des.latency_ms.p99}`);
  assert.equal(errors, des.error_rate);
  assert.equal(aggregate, fluid.latency_ms.p99);
  // Side by side only where the engines differ by more than the tests allow; otherwise one sentence says they agree.
  const differences = panel.getByRole('list', { name: 'Where the engines differ' });
  if (await differences.count()) {
    for (const item of await differences.getByRole('listitem').allTextContents()) {
      assert.match(item, /^(p99|Mean latency|Errors|Cache hit ratio|Stale reads) [\d.,]+ (ms|%) exact · [\d.,]+ (ms|%) aggregate$/);
    }
  } else {
    await panel.getByText(/^Both engines agree within what the tests promise/).waitFor();
  }
  await screenshot(page, 'exact-phone');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a run too big for the page is refused naming what to change, and the page goes on', async () => {
  const page = await openReady(ctx, '?v=1&stage=6&users=400000&engine=des', DESKTOP);
  const alert = page.getByRole('region', { name: 'Exact engine' }).getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /^users × requests per user × duration: this run would simulate up to [\d,]+ requests/);
  // The aggregate engine still answers the same scenario.
  assert.match(await page.locator('#bottleneck-status').textContent(), /\S/);
  await page.getByRole('slider', { name: /Users/ }).focus();
  await page.keyboard.press('Home');
  await page.getByRole('region', { name: 'Exact engine' }).getByText(/^Exact run complete/).waitFor({ timeout: 60_000 });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('following the slowest request: its waterfall reads hop by hop, matches the CLI trace and marks the diagram', async () => {
  const page = await openReady(ctx, `${STAGE}&engine=des`);
  await complete(page);
  // The charts filled from the worker: the latency chart names the exact engine and has a latest value.
  assert.match(await page.locator('#chart-latency canvas').getAttribute('aria-label'), /^Exact engine\. Latency.*latest .*p99 [\d.]+ ms/);
  const panel = page.getByRole('region', { name: 'Follow one request' });
  await panel.getByRole('button', { name: 'Slowest at the cursor' }).click();
  const summary = await panel.locator('.trace-summary').textContent();
  const [, id, latency] = summary.match(/^\w[\w ]* request #(\d+) at [\d.]+ s: answered in ([\d.,]+) ms, \d+ hops$/) ?? [];
  assert.ok(id, summary);
  const hops = await panel.getByRole('list', { name: `Hops of request #${id}` }).getByRole('listitem').allTextContents();
  assert.match(hops[0], /^To North America: at 0\.00 ms, network 30\.0 ms — served$/);
  assert.ok(hops.some((h) => /^App server \d+: /.test(h)), hops.join('\n'));
  // A cache hit never goes on to the database.
  const hit = hops.findIndex((h) => h.endsWith('— cache hit'));
  if (hit >= 0) assert.ok(!hops.slice(hit + 1).some((h) => /^(Primary|Replica) /.test(h)), hops.join('\n'));
  // The same request in the CLI's traces for the page's own link: same hops, same latency.
  const link = new URL(page.url()).search;
  const out = JSON.parse(execFileSync(cli(), ['run', '--scenario', link, '--engine', 'des', '--traces', '10', '--json'], { maxBuffer: 64 << 20 }).toString());
  const trace = out.traces.find((t) => t.id === Number(id));
  assert.ok(trace, `request #${id} is among the CLI's traces`);
  const shown = Number(latency.replace(/,/g, ''));
  assert.ok(Math.abs(trace.latency_ms - shown) <= (shown >= 1000 ? 0.5 : 0.05), `page ${shown} ms vs CLI ${trace.latency_ms} ms`);
  assert.equal(trace.hops.length + trace.hops.reduce((n, h) => n + h.calls.length, 0), hops.length);
  // Its path is marked on the diagram: the app tier and the cache at least.
  for (const tier of ['app', 'redis']) {
    assert.equal(await page.locator(`.diagram .node[data-tier="${tier}"].on-path`).count() > 0, true, `${tier} on the path`);
  }
  // The diagram's dots are traced requests; clicking one follows it.
  const dot = page.locator('.diagram .trace-dot-hit').first();
  const [, dotId] = (await dot.locator('title').textContent()).match(/^Request #(\d+):/);
  await dot.dispatchEvent('click');
  await panel.getByRole('list', { name: `Hops of request #${dotId}` }).waitFor();
  await screenshot(page, 'exact-trace-desktop');
  // With reduced motion no dot moves; each edge counts the second's traced requests instead.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await page.locator('.diagram circle.trace-dot').first().isVisible(), false);
  const counts = await page.locator('.diagram .trace-count').evaluateAll((t) => t.filter((x) => getComputedStyle(x).display !== 'none').map((x) => x.textContent));
  assert.ok(counts.length > 0 && counts.every((c) => /^\d+ traced$/.test(c)), counts.join(', '));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a failed request says where it failed; a change or Stop ends a long run and keeps the page responsive', async () => {
  const page = await openReady(ctx, '?v=1&stage=8&users=20000&faults=kill_app@100&engine=des', PHONE);
  await complete(page);
  const panel = page.getByRole('region', { name: 'Follow one request' });
  await panel.getByRole('button', { name: 'A failed one' }).click();
  assert.match(await panel.locator('.trace-summary').textContent(), /: failed in /);
  const hops = await panel.locator('ol.hops li').allTextContents();
  assert.match(hops.at(-1), /— (machine down|timed out|refused: full|refused|failed, retried)$/);
  assert.equal(await panel.locator('ol.hops li.failed').count() > 0, true);
  await screenshot(page, 'exact-trace-phone');
  await page.context().close();

  // A long run (about 4.8 million requests): Stop keeps what was simulated.
  const long = await openReady(ctx, '?v=1&stage=6&users=40000&dur=1200&engine=des', DESKTOP);
  const exact = long.getByRole('region', { name: 'Exact engine' });
  const progress = exact.getByRole('progressbar', { name: 'Exact run progress' });
  await progress.waitFor({ timeout: 30_000 });
  await long.waitForFunction(() => Number(document.querySelector('.exact progress')?.value) > 0.05);
  // A change of the scenario starts a new run from zero.
  await long.getByRole('slider', { name: /Users/ }).focus();
  await long.keyboard.press('ArrowLeft');
  await long.waitForFunction(() => {
    const p = document.querySelector('.exact progress');
    return !p || Number(p.value) < 0.05;
  });
  await progress.waitFor({ timeout: 30_000 });
  await exact.getByRole('button', { name: 'Stop the exact run' }).click();
  await exact.getByText(/^Stopped at .+ of 20 min 00 s\. The charts show what was simulated\./).waitFor();
  assert.equal(await progress.count(), 0);
  // The main thread answered throughout: the page still reacts at once.
  const before = await long.locator('#users').inputValue();
  await long.getByRole('slider', { name: /Users/ }).focus();
  await long.keyboard.press('ArrowLeft');
  await long.waitForFunction((b) => document.querySelector('#users').value !== b, before, { timeout: 2_000 });
  assert.deepEqual(long.problems, []);
  await long.context().close();
});
