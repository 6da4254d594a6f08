// The safety mechanisms on the page: a database open to the internet and a CDN caching logged-in pages are drawn
// as unsafe and named in the table, and the table's fixes close them; a database killed without backups shows the
// writes it took with it, and point-in-time recovery shrinks the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, screenshot, openReady } from './harness.js';

const ctx = useSite();

const open = (query, viewport) => openReady(ctx, query, viewport);

test('an open database and a CDN caching private pages are drawn unsafe, named in the table and fixed from it', async () => {
  const page = await open('?v=1&stage=7&users=20000&cdn_private=1&db_public=1');
  const node = (tier) => page.locator(`g.node[data-tier="${tier}"]`);
  await page.waitForFunction(() => document.querySelector('tr[data-row="cdn-poisoning"]')?.classList.contains('live'));
  assert.match(await node('cdn').getAttribute('class'), /unsafe/);
  assert.match(await node('db_primary').textContent(), /open to the internet/);
  assert.match(await page.locator('[data-metric="wrong-user"]').textContent(), /req\/s/);
  await screenshot(page, 'safety-desktop');
  // The table's own buttons close both holes.
  for (const row of ['cdn-poisoning', 'exposed']) {
    await page.locator(`tr[data-row="${row}"]`).getByRole('button').click();
    await page.waitForFunction((id) => !document.querySelector(`tr[data-row="${id}"].live`), row);
  }
  await page.waitForURL(/cdn_private=0.*db_public=0|db_public=0.*cdn_private=0/);
  assert.equal(await page.locator('[data-metric="wrong-user"]').count(), 0);
  assert.doesNotMatch(await node('cdn').getAttribute('class'), /unsafe/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('killing the database without backups loses writes, and point-in-time recovery keeps all but minutes', async () => {
  const lost = async (backup) => {
    const page = await open(`?v=1&stage=3&users=10000&backup=${backup}&faults=kill_db@60&t=200`);
    await page.locator('[data-metric="writes-lost"]').waitFor();
    const n = Number((await page.locator('[data-metric="writes-lost"]').textContent()).replace(/[^0-9.]/g, ''));
    assert.equal(await page.locator('tr[data-row="data-loss"]').getAttribute('class'), 'live');
    assert.deepEqual(page.problems, []);
    await page.context().close();
    return n;
  };
  const none = await lost('none');
  const pitr = await lost('pitr');
  assert.ok(none > 100 * pitr, `no backups lose ${none} writes, point-in-time recovery ${pitr}`);
});

test('a killed app server is the node marked as the cause, not the healthy servers beside it', async () => {
  const page = await open('?v=1&stage=5&users=5000&faults=kill_app@60&dur=300&t=65');
  await page.waitForFunction(() => document.querySelector('g.node[data-tier="app"].down'));
  assert.match(await page.locator('#bottleneck-status').textContent(), /^Outage: Dead app server/);
  const marked = await page.locator('g.node[data-tier="app"].bottleneck').evaluateAll((n) => n.map((g) => g.classList.contains('down')));
  assert.deepEqual(marked, [true], 'only the dead server carries the mark');
  assert.match(await page.locator('g.node[data-tier="app"].down').textContent(), /down · bottleneck/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('during a database outage the diagram draws the primary down and the headline names it', async () => {
  for (const [query, words] of [
    ['?v=1&stage=3&users=5000&backup=nightly&faults=kill_db@60&dur=600&t=120', /restoring from backup/],
    ['?v=1&stage=6&users=5000&faults=kill_db@60&dur=600&t=75', /promoting a replica/],
  ]) {
    const page = await open(query);
    const db = page.locator('g.node[data-tier="db_primary"]');
    await page.waitForFunction(() => document.querySelector('g.node[data-tier="db_primary"]')?.classList.contains('down'));
    assert.match(await db.textContent(), words);
    assert.match(await page.locator('#bottleneck-status').textContent(), /Database primary down/);
    assert.equal(await page.locator('tr[data-row="db-down"]').getAttribute('class'), 'live');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
