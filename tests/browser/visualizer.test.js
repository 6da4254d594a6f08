// The visualizer in a real browser, driven through accessible names: the bottleneck moves as the seeds say when
// the load rises, a fix clears its row, sessions are lost under sticky routing but not with Redis, no axe-core
// violations, and phone and desktop screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { useSite, screenshot, PHONE, DESKTOP, openReady } from './harness.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const ctx = useSite();

const status = (page) => page.locator('#bottleneck-status');
const metric = (page, id) => page.locator(`[data-metric="${id}"]`);
/** Slider position for a user count (100 steps per decade). */
const position = (users) => String(Math.round(Math.log10(users) * 100));

const open = (query, viewport) => openReady(ctx, query, viewport);

test('raising the load on the first stage moves the bottleneck as the seeds describe', async () => {
  const page = await open('?v=1&stage=1&users=1000');
  await assert.doesNotReject(page.getByText('No bottleneck at this load.').waitFor());
  // One box: its CPU saturates first (seed 000, stage 1; seed 001, shift 1).
  await page.getByLabel('Users', { exact: true }).fill(position(5000));
  await page.waitForFunction(() => document.querySelector('#bottleneck-status').textContent.includes('App server compute'));
  assert.match(await metric(page, 'offered').textContent(), /500 req\/s/);
  // With the database on its own server and a big enough app server, the database is next (shift 2).
  await page.getByLabel('Stage', { exact: true }).selectOption('3');
  await page.getByLabel('App server size').selectOption('m6i.2xlarge');
  await page.getByLabel('Users', { exact: true }).fill(position(25000));
  await page.waitForFunction(() => document.querySelector('#bottleneck-status').textContent.includes('Database'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('applying a fix clears its row', async () => {
  const page = await open('?v=1&stage=1&users=5000');
  const row = page.locator('tr[data-row="app-cpu"]');
  await page.waitForFunction(() => document.querySelector('tr[data-row="app-cpu"]').classList.contains('live'));
  await row.getByRole('button').click();
  await page.waitForFunction(() => !document.querySelector('tr[data-row="app-cpu"].live'));
  // The fix went into the scenario, and so (after a short debounce) into the URL: 5,000 users ask 139 % of what
  // the 2-vCPU box can do; at 65 % busy that needs 4.3 vCPUs, so one click moves to the 8-vCPU size.
  await page.waitForURL(/size=m6i\.2xlarge/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('killing a server loses sessions under sticky routing and none with sessions in Redis', async () => {
  for (const [sessions, lost] of [['sticky', true], ['redis', false]]) {
    const page = await open(`?v=1&stage=5&users=5000&sessions=${sessions}`);
    assert.equal(await page.getByLabel('Sessions').inputValue(), sessions);
    await page.getByRole('button', { name: 'Kill an app server' }).click();
    await page.getByText('1 fault scheduled.').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-metric="instances"]').textContent === '2');
    const value = Number((await metric(page, 'sessions-lost').textContent()).replace(/,/g, ''));
    if (lost) {
      assert.ok(value > 500, `sticky sessions: ${value} lost`);
      assert.equal(await page.locator('tr[data-row="sessions"]').getAttribute('class'), 'live');
    } else {
      assert.equal(value, 0);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('playback runs the clock and the timeline scrubs', async () => {
  const page = await open('?v=1&stage=5&users=5000');
  await page.getByLabel('Speed').selectOption('600');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction(() => document.querySelector('#clock').textContent !== '0 s');
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByLabel('Timeline').fill('120');
  assert.equal(await page.locator('#clock').textContent(), '2 min 00 s');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('axe-core finds no accessibility violations', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await open('?v=1&stage=6&users=50000', viewport);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const summary = result.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`);
    assert.deepEqual(summary, []);
    await page.context().close();
  }
});

test('screenshots of the visualizer at phone and desktop sizes', async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await open('?v=1&stage=6&users=50000', viewport);
    await page.waitForTimeout(300);
    await screenshot(page, `visualizer-${name}`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('the other fault buttons act at the cursor: deploy, spike, cache flush, database primary', async () => {
  const page = await open('?v=1&stage=1&users=1000');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.waitForFunction(() => document.querySelector('[data-metric="errors"]').textContent === '100 %');
  await page.getByRole('button', { name: 'Clear faults' }).click();
  await page.getByRole('button', { name: /Traffic spike/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-metric="offered"]').textContent === '300 req/s');
  await page.context().close();

  const cached = await open('?v=1&stage=4&users=10000');
  const hit = await cached.locator('[data-metric="cache-hit"]').textContent();
  await cached.getByRole('button', { name: 'Flush the cache' }).click();
  await cached.waitForFunction((before) => document.querySelector('[data-metric="cache-hit"]').textContent !== before, hit);
  assert.ok(parseFloat(await cached.locator('[data-metric="cache-hit"]').textContent()) < parseFloat(hit) / 2);
  await cached.getByRole('button', { name: 'Kill the database primary' }).click();
  await cached.waitForFunction(() => parseFloat(document.querySelector('[data-metric="errors"]').textContent) > 30);
  assert.deepEqual(cached.problems, []);
  await cached.context().close();
});

test('keyboard only: move the load with arrow keys and apply a fix with Enter', async () => {
  const page = await open('?v=1&stage=1&users=4000');
  const slider = page.getByLabel('Users', { exact: true });
  await slider.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#peak-rps').textContent === '500 req/s');
  // Tab through the page to the live row's fix and press Enter.
  const fix = page.locator('tr[data-row="app-cpu"] button');
  await page.waitForFunction(() => document.querySelector('tr[data-row="app-cpu"]').classList.contains('live'));
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await fix.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, 'the fix button is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('tr[data-row="app-cpu"].live'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the journey panel follows the learner: fixes applied since the stage are listed', async () => {
  const page = await open('?v=1&stage=1&users=5000');
  assert.equal(await page.locator('.stage .built').count(), 0, 'nothing built yet');
  await page.locator('tr[data-row="app-cpu"]').getByRole('button').click();
  await page.locator('.stage .built').waitFor();
  assert.match(await page.locator('.stage .built').textContent(), /app servers are m6i\.2xlarge \(were t3\.medium\)/);
  // Picking the stage again starts from it: the list empties.
  await page.getByLabel('Stage', { exact: true }).selectOption('2');
  await page.getByLabel('Stage', { exact: true }).selectOption('1');
  await page.waitForFunction(() => !document.querySelector('.stage .built'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a short stage link opens the picker\'s stage, sized as the picker shows it', async () => {
  const page = await open('?v=1&stage=5');
  assert.equal(await page.getByLabel('Stage', { exact: true }).inputValue(), '5');
  await page.waitForURL(/users=100000/);
  assert.notEqual(await page.getByLabel('App servers', { exact: true }).inputValue(), '3', 'not the bare built-in stage');
  assert.match(await page.locator('#bottleneck-status').textContent(), /No bottleneck/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the first screen shows the diagram (and on a desktop its table) at phone and desktop sizes', async () => {
  for (const [viewport, query] of [[PHONE, '?v=1&stage=1&users=1000'], [DESKTOP, '?v=1&stage=5']]) {
    const page = await open(query, viewport);
    const diagram = await page.locator('figure.diagram svg').boundingBox();
    assert.ok(diagram.y + diagram.height <= viewport.height, `diagram ends at ${diagram.y + diagram.height} of ${viewport.height}`);
    const panel = await page.locator('figure.diagram').boundingBox();
    assert.ok(diagram.width <= panel.width, `the drawing (${diagram.width} px) fits its panel (${panel.width} px)`);
    if (viewport === DESKTOP) {
      const table = await page.locator('#bottleneck-status').boundingBox();
      assert.ok(table.y + table.height <= viewport.height, 'the headline is on the first screen beside the diagram');
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('"Next event" steps past the first fault through what it sets off', async () => {
  const page = await open('?v=1&stage=5&users=5000&faults=kill_app@60&dur=300');
  // The fault is a tick on the timeline.
  assert.deepEqual(await page.locator('#fault-ticks option').evaluateAll((o) => o.map((x) => x.value)), ['60']);
  const times = [];
  for (let i = 0; i < 3; i++) {
    const before = await page.locator('#clock').textContent();
    await page.getByRole('button', { name: 'Next event' }).click();
    await page.waitForFunction((b) => document.querySelector('#clock').textContent !== b, before);
    times.push(await page.locator('#clock').textContent());
  }
  // The fault, the first second it shows, and the health checks taking the dead server out of the pool.
  assert.equal(times[0], '1 min 00 s');
  assert.equal(new Set(times).size, 3, times.join(', '));
  // Past the last event the button says there is none left instead of doing nothing.
  const next = page.getByRole('button', { name: 'Next event' });
  for (let i = 0; i < 10 && !(await next.isDisabled()); i++) await next.click();
  assert.ok(await next.isDisabled(), 'disabled after the last event');
  assert.equal(await next.getAttribute('title'), 'No more events in this run');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the first Tab reaches a skip link to the diagram and the table', async () => {
  const page = await open('?v=1&stage=5');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.match(focused, /Skip to the diagram/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'results');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
