// The journeys in a real browser: picking a seed's journey and stepping through it loads each stage's
// scenario, shows what it adds and where it breaks, and the later stages' parts show up in the diagram; the
// queue, region and load-balancer faults act; screenshots of the last stages at phone and desktop sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, screenshot, PHONE, DESKTOP, openReady } from './harness.js';

const ctx = useSite();

const open = (query, viewport) => openReady(ctx, query, viewport);

const metric = (page, id) => page.locator(`[data-metric="${id}"]`);

test('picking the bookmarks journey and stepping to its queue stage turns seconds into milliseconds', async () => {
  const page = await open('?v=1&stage=1&users=1000');
  // The second journey is seed 000's bookmarking service.
  await page.getByLabel('Journey', { exact: true }).selectOption('1');
  await page.waitForURL(/journey=bookmarks&step=1/);
  // Saves wait for their slow job inline: the p99 is seconds.
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-metric="p99"]').textContent) > 1);
  assert.match(await metric(page, 'p99').textContent(), /s$/);
  await page.locator('.stage .breaks').filter({ hasText: 'begins to break at about' }).waitFor();
  await page.getByLabel('Stage', { exact: true }).selectOption('7');
  await page.waitForURL(/step=7/);
  await page.locator('.node', { hasText: 'Queue' }).first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-metric="p99"]').textContent.endsWith(' ms'));
  assert.match(await page.locator('.stage .explain').textContent(), /202 Accepted/);
  // Reopening the link shows the same journey and stage.
  const again = await open(new URL(page.url()).search);
  assert.equal(await again.getByLabel('Stage', { exact: true }).inputValue(), '7');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  await again.context().close();
});

test('the combined journey ends with shards, regions and services in the diagram', async () => {
  const page = await open('?v=1&stage=12&users=1000000');
  for (const text of ['shards', 'services', '3 of 3 regions up']) {
    await page.locator('.node', { hasText: text }).first().waitFor();
  }
  // The busiest region's stack in a frame, and a card per region with its own small stack, share and state; the
  // diagram's accessible description says each.
  assert.equal(await page.locator('.region.card').count(), 3);
  assert.equal(await page.locator('.region.card').first().locator('.mini').count() >= 4, true);
  const diagram = page.getByRole('img', { name: /^Architecture:/ });
  assert.match(await diagram.getAttribute('aria-label'), /Region 1 · North America · primary: drawn above · \d+ % of users/);
  assert.match(await diagram.getAttribute('aria-label'), /Region 3 · Asia-Pacific: up · \d+ % of users/);
  await page.getByRole('button', { name: 'Region outage' }).click();
  // Geo-DNS, a box of its own in front of the regions, says one is out; the dark region's card says where its
  // users are, and the primaries moved to the region that took them.
  await page.locator('.node[data-tier="dns"]', { hasText: '2 of 3 regions up' }).waitFor();
  await page.locator('.region.card.down', { hasText: /^Region 1 · North America/ }).waitFor();
  const label = await diagram.getAttribute('aria-label');
  assert.match(label, /Region 1 · North America: dark · (users fail, moved in (\d+ min )?\d+ s|its users moved to Europe)/);
  assert.match(label, /Region 2 · Europe · primary: /);
  assert.ok(parseFloat(await metric(page, 'errors').textContent()) > 10);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a single load balancer is a live single point of failure until it becomes a pair', async () => {
  const page = await open('?v=1&stage=5&users=5000&lb_ha=0');
  const row = page.locator('tr[data-row="lb-spof"]');
  await page.waitForFunction(() => document.querySelector('tr[data-row="lb-spof"]').classList.contains('live'));
  await page.getByRole('button', { name: 'Kill the load balancer' }).click();
  await page.waitForFunction(() => document.querySelector('[data-metric="errors"]').textContent === '100 %');
  // The headline names the cause, not the errors it causes; the diagram draws it down with the time to its
  // replacement, and the servers behind it idle.
  await page.locator('#bottleneck-status', { hasText: /^Outage: Load balancer down/ }).waitFor();
  const label = await page.getByRole('img', { name: /^Architecture:/ }).getAttribute('aria-label');
  assert.match(label, /Load balancer \(replaced in \d+ min \d+ s\), down, the bottleneck/);
  assert.match(label, /App server 1 \(CPU 0 %/);
  await row.getByRole('button').click();
  await page.waitForURL(/lb_ha=1/);
  // The pair's standby takes over within 5 s; a single one needs 5 minutes to be replaced.
  await page.getByLabel('Timeline').fill('10');
  await page.waitForFunction(() => parseFloat(document.querySelector('[data-metric="errors"]').textContent) === 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots of the last stages at phone and desktop sizes', async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    // The combined journey's last stage, sized for a million users, loaded through the picker.
    const page = await open('?v=1&stage=11&journey=scalesim&step=11', viewport);
    await page.getByRole('button', { name: 'Next stage' }).click();
    await page.waitForURL(/step=12/);
    await page.locator('.stage .breaks').filter({ hasText: 'users' }).waitFor();
    await screenshot(page, `journey-${name}`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('clicking the first fix again and again, as the users grow, builds the queue, auto-scaling and regions', async () => {
  // Stage 1 of the scalesim journey facing the workload its last stage serves: users on three continents, slow
  // jobs on half the writes, a daily curve.
  const page = await open('?v=1&stage=1&users=1000&world=1&jobs=0.5&curve=1');
  const position = (users) => String(Math.round(Math.log10(users) * 100));
  const live = () => page.locator('tr.live').allTextContents().then((t) => t.join('|'));
  const clicked = [];
  for (const users of [1000, 3000, 10000, 30000, 100000, 300000, 1000000]) {
    await page.getByLabel('Users', { exact: true }).fill(position(users));
    for (let i = 0; i < 30; i++) {
      const fix = page.locator('tr.live button').first();
      if (!(await fix.count())) break;
      const before = await live();
      clicked.push(await fix.textContent());
      await fix.click();
      await page.waitForFunction((b) => [...document.querySelectorAll('tr.live')].map((r) => r.textContent).join('|') !== b, before);
    }
  }
  const url = () => decodeURIComponent(page.url());
  await page.waitForFunction(() => /queue=1/.test(location.search) && /asg=1/.test(location.search));
  assert.match(url(), /regions=[23]/, clicked.join('\n'));
  assert.ok(clicked.some((c) => /message queue/.test(c)), clicked.join('\n'));
  assert.ok(clicked.some((c) => /Auto-scale/.test(c)), clicked.join('\n'));
  assert.ok(clicked.some((c) => /regions/.test(c)), clicked.join('\n'));
  await page.locator('g[data-tier="workers"]').waitFor();
  // And the million users are served: no bottleneck left.
  await page.getByText('No bottleneck at this load.').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
