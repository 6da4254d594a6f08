// The charts and playback on a high-density screen: every canvas's backing store is its CSS size times the
// device-pixel ratio, each chart's accessible name gives its axes and the faults marked on it, the playback cursor
// lies over the moment it shows, the timeline flags each fault as a button that goes there, a day-long run shows
// its progress while it streams and the indicator goes when it is done; screenshots at phone and desktop sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, screenshot, openReady, PHONE, DESKTOP, SHOTS } from './harness.js';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const ctx = useSite();

const FAULT = '?v=1&stage=6&faults=kill_app@120';
const CHARTS = ['latency', 'throughput', 'utilization', 'cache', 'lag', 'instances', 'cost'];

/** Opens `query` in a context with `deviceScaleFactor` (the shared harness opens at 1), recording problems as it
 *  does, and waits until the page has run. */
async function openAt(query, viewport = DESKTOP, deviceScaleFactor = 2) {
  const context = await ctx.browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') page.problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  await page.goto(ctx.site.url + query);
  await page.locator('#bottleneck-status').waitFor();
  return page;
}

/** Scrolls the chart into view (charts draw only on screen) and waits until it has been drawn at its size. */
async function drawn(page, name) {
  const canvas = page.locator(`#chart-${name} canvas`);
  await canvas.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (sel) => {
      const c = document.querySelector(sel);
      return c.clientWidth > 0 && c.width === Math.round(c.clientWidth * devicePixelRatio);
    },
    `#chart-${name} canvas`,
  );
  return canvas;
}

test('every chart is drawn at CSS size × device-pixel ratio', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await openAt(FAULT, viewport, 2);
    assert.equal(await page.evaluate(() => devicePixelRatio), 2);
    for (const name of CHARTS) {
      const canvas = await drawn(page, name);
      const [w, h, cw, ch] = await canvas.evaluate((c) => [c.width, c.height, c.clientWidth, c.clientHeight]);
      assert.equal(w, Math.round(cw * 2), `${name}: backing width ${w} for ${cw} CSS px`);
      assert.equal(h, Math.round(ch * 2), `${name}: backing height ${h} for ${ch} CSS px`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('each chart is named by its axes and lists the fault marked on it and what it set off', async () => {
  const page = await openAt(FAULT);
  const titles = {
    latency: 'Latency (ms)',
    throughput: 'Requests per second',
    utilization: 'Utilisation (%)',
    cache: 'Hit ratio (%)',
    lag: 'Replication lag (ms)',
    instances: 'Instances',
    cost: 'USD per hour',
  };
  for (const name of CHARTS) {
    const label = await page.locator(`#chart-${name} canvas`).getAttribute('aria-label');
    assert.ok(label.includes(`${titles[name]} over 5 min of simulated time`), `${name}: ${label}`);
    assert.match(label, /Fault marked: app server killed at 2 min 00 s\. Then: .*servers serving 3 → 2/, `${name}: ${label}`);
  }
  // The same through the accessibility tree: an image named for the latency chart and its fault.
  await page.getByRole('img', { name: /^Latency: Latency \(ms\).*app server killed at 2 min 00 s/ }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the timeline flags the fault as a button that moves the cursor there, and the cursor lies over that moment', async () => {
  const page = await openAt(FAULT);
  const canvas = await drawn(page, 'latency');
  const cursor = page.locator('#chart-latency .cursor');
  const xAt = async (seconds) => {
    await page.getByLabel('Timeline').fill(String(seconds));
    await page.waitForFunction((t) => document.querySelector('#timeline').value === String(t), seconds);
    await page.waitForTimeout(50);
    const box = await cursor.boundingBox();
    return box.x + box.width / 2;
  };
  const [start, middle, end] = [await xAt(0), await xAt(150), await xAt(300)];
  const frame = await canvas.boundingBox();
  assert.ok(start > frame.x + 20 && end < frame.x + frame.width, `the cursor runs inside the chart: ${start} to ${end}`);
  assert.ok(end - start > frame.width / 2, `the cursor spans the plot: ${start} to ${end} on ${frame.width} px`);
  assert.ok(Math.abs(middle - (start + end) / 2) < 1.5, `half the run is half the plot: ${start}, ${middle}, ${end}`);
  // The timeline's flag for the fault.
  const flag = page.getByRole('button', { name: 'Go to the fault: app server killed at 2 min 00 s' });
  await flag.click();
  assert.equal(await page.locator('#clock').textContent(), '2 min 00 s');
  const at = (await cursor.boundingBox()).x + 1;
  assert.ok(Math.abs(at - (start + (end - start) * 0.4)) < 1.5, `the cursor at 2 of 5 minutes: ${at}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a day-long run shows its progress while it streams, and the indicator goes when it is done', async () => {
  const page = await openAt('?v=1&stage=8&dur=86400&curve=1', DESKTOP, 1);
  const bar = page.getByRole('progressbar', { name: /^Simulating… \d+ %$/ });
  await bar.waitFor();
  const first = Number(await bar.getAttribute('value'));
  assert.ok(first >= 0 && first < 100, `progress ${first}`);
  const name = await page.locator('label[for="run-progress"]').textContent();
  assert.match(name, /^Simulating… \d+ %$/);
  // It moves on, then disappears once the whole day is simulated.
  await page.waitForFunction(
    (v) => {
      const p = document.querySelector('#run-progress');
      return !p || Number(p.value) > v;
    },
    first,
  );
  await bar.waitFor({ state: 'detached', timeout: 60_000 });
  const label = await page.locator('#chart-latency canvas').getAttribute('aria-label');
  assert.match(label, /over 24 h of simulated time/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('axe-core finds no violations with faults flagged on the timeline and a long run streaming', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    // The shared harness's page (device-pixel ratio 1), whose addScriptTag serves axe-core under the page's policy.
    const page = await openReady(ctx, '?v=1&stage=6&faults=kill_app@3600,deploy@7200&dur=86400', viewport);
    await page.getByRole('progressbar').waitFor();
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`), []);
    assert.equal(await page.getByRole('button', { name: /^Go to the fault: / }).count(), 2);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('screenshots of a stage with a fault at phone and desktop sizes, device-pixel ratio 2', async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await openAt(FAULT, viewport, 2);
    for (const chart of CHARTS) await drawn(page, chart);
    await page.getByLabel('Timeline').fill('150');
    await screenshot(page, `charts-${name}`);
    await page.locator('.charts').screenshot({ path: join(SHOTS, `charts-${name}-all.png`) });
    await page.locator('#chart-latency').screenshot({ path: join(SHOTS, `charts-${name}-latency.png`) });
    await page.locator('#chart-instances').screenshot({ path: join(SHOTS, `charts-${name}-instances.png`) });
    await page.locator('.panel.playback').screenshot({ path: join(SHOTS, `charts-${name}-playback.png`) });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
