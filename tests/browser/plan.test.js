// The planner in a real browser: the limit finder names the load and the component and moves the slider
// there, with the same answer as `scalesim plan` for the page's own link; the cheapest design for 100,000
// users applies a design whose bill and p99 the page then shows within the objective; a bad objective is
// named and the rest of the panel keeps working; the page keeps answering input while a search runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useSite, screenshot, PHONE, DESKTOP, openReady, ROOT } from './harness.js';

const ctx = useSite();
const open = (query, viewport) => openReady(ctx, query, viewport);

/** The `scalesim` CLI that `cargo test --workspace --all-features` built. */
function cli() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: ROOT }).toString());
  const bin = join(meta.target_directory, 'debug', 'scalesim');
  assert.ok(existsSync(bin), `the CLI (${bin}) is built by \`cargo test --workspace --all-features\` before the browser tests`);
  return bin;
}

const users = async (page) => Number(new URL(page.url()).searchParams.get('users'));

test('the limit finder names the load and what breaks, as the CLI does, and moves the slider there', async () => {
  const page = await open('?v=1&stage=3&users=1000');
  const limit = page.locator('[data-plan="limit"]');
  await limit.waitFor();
  const max = Number(await limit.getAttribute('data-max-users'));
  const text = await limit.textContent();
  assert.match(text, /^Holds up to [\d,]+ users with p99 within 200 ms and at most 1 % of requests failing — then App server compute gives out/);
  await page.waitForURL(/users=1000&/);
  const out = JSON.parse(execFileSync(cli(), ['plan', '--scenario', new URL(page.url()).search, '--p99-ms', '200', '--json']).toString());
  assert.equal(max, out.max_users, `page ${max} vs CLI ${out.max_users}`);
  assert.equal(await limit.getAttribute('data-breaks'), out.breaks.row);
  assert.ok(text.includes(out.breaks.component), `${text} names ${out.breaks.component}`);
  await page.locator('[data-plan="move-slider"]').click();
  await page.waitForURL(new RegExp(`users=${max}&`));
  assert.equal(await users(page), max);
  // At the limit the headline p99 is within the objective.
  const p99 = await page.locator('[data-metric="p99"]').textContent();
  assert.ok(parseFloat(p99) <= 200 && p99.endsWith(' ms'), p99);
  // Moving the slider does not restart the search (the limit is about the design, not the load).
  assert.equal(await page.locator('[data-plan="limit-progress"]').count(), 0);
  // The next fix moves the limit: after applying it the finder reports a larger one.
  await page.locator('[data-plan="apply-fix"]').click();
  await page.waitForFunction((m) => Number(document.querySelector('[data-plan="limit"]')?.dataset.maxUsers) > m, max);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the cheapest design for 100,000 users is applied and the page shows it within the objective', async () => {
  const page = await open('?v=1&stage=4&users=1000');
  await page.locator('#plan-users').fill('100000');
  await page.locator('#plan-users').dispatchEvent('change');
  const started = Date.now();
  await page.locator('[data-plan="find-cheapest"]').click();
  const found = page.locator('[data-plan="cheapest"]');
  await found.waitFor({ timeout: 20_000 });
  const wall = Date.now() - started;
  const cost = Number(await found.getAttribute('data-cost'));
  assert.ok(cost > 0, await found.textContent());
  await page.locator('[data-plan="apply-design"]').click();
  await page.waitForURL(/users=100000&/);
  const bill = Number((await page.locator('[data-metric="bill"]').textContent()).replace(/[^0-9.]/g, ''));
  assert.ok(Math.abs(bill - Math.round(cost)) <= 1, `bill ${bill} vs design ${cost}`);
  const p99 = await page.locator('[data-metric="p99"]').textContent();
  assert.ok(p99.endsWith(' ms') && parseFloat(p99) <= 200, p99);
  const errors = await page.locator('[data-metric="errors"]').textContent();
  assert.ok(parseFloat(errors) <= 1, errors);
  // The same search in the CLI finds the same bill.
  const base = '?v=1&stage=4&users=1000';
  const out = JSON.parse(execFileSync(cli(), ['plan', '--scenario', base, '--users', '100000', '--p99-ms', '200', '--json']).toString());
  assert.ok(Math.abs(out.cost_usd_per_month - cost) < 0.01, `page $${cost} vs CLI $${out.cost_usd_per_month}`);
  console.log(`# cheapest design for 100,000 users from stage 4 in the page: ${wall} ms from click to answer`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the page answers input while a search runs, and a bad objective is named', async () => {
  const page = await open('?v=1&stage=12&users=1000000');
  await page.locator('#plan-users').fill('2000000');
  await page.locator('#plan-users').dispatchEvent('change');
  await page.locator('[data-plan="find-cheapest"]').click();
  // While it searches, a click elsewhere is handled at once (the search runs in slices of a few ms).
  const lag = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        setTimeout(() => resolve(performance.now() - t0), 0);
      }),
  );
  assert.ok(lag < 100, `a task waited ${lag.toFixed(0)} ms behind the search`);
  await page.locator('[data-plan="cheapest"]').waitFor({ timeout: 30_000 });
  await page.locator('#plan-p99').fill('0');
  await page.locator('#plan-p99').dispatchEvent('change');
  await page.locator('.plan-error', { hasText: 'p99' }).waitFor();
  assert.equal(await page.locator('[data-plan="limit"]').count(), 0);
  // Fixing it brings the answer back.
  await page.locator('#plan-p99').fill('300');
  await page.locator('#plan-p99').dispatchEvent('change');
  await page.locator('[data-plan="limit"]', { hasText: 'p99 within 300 ms' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots of the planner at phone and desktop sizes', async () => {
  for (const [name, viewport] of [['plan-desktop', DESKTOP], ['plan-phone', PHONE]]) {
    const page = await open('?v=1&stage=6&users=100000', viewport);
    await page.locator('[data-plan="limit"]').waitFor();
    await page.locator('[data-plan="find-cheapest"]').click();
    await page.locator('[data-plan="cheapest"]').waitFor({ timeout: 20_000 });
    await page.locator('.panel.plan').scrollIntoViewIfNeeded();
    await screenshot(page, name);
    await page.locator('.panel.plan').screenshot({ path: join(ROOT, 'artifacts', 'screenshots', `${name}-panel.png`) });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('compare: pin A, change B, see every figure of both; the link reopens the comparison', async () => {
  const page = await open('?v=1&stage=6&users=100000');
  await page.locator('[data-compare="pin"]').click();
  await page.locator('[data-compare="changed"]', { hasText: 'B is still A' }).waitFor();
  // B: two more read replicas.
  const replicas = page.locator('#replicas');
  const before = Number(await replicas.inputValue());
  await replicas.fill(String(before + 2));
  await replicas.dispatchEvent('change');
  await page.locator('[data-compare="changed"]', { hasText: `${before + 2} read replicas, up from ${before}` }).waitFor();
  const cost = page.locator('tr[data-delta="cost_usd_per_month"]');
  await cost.waitFor();
  assert.match(await cost.textContent(), /\+\$[\d,]+\s*worse/);
  for (const m of ['latency_ms.p99', 'error_rate', 'served_rps', 'cache_hit_rate']) {
    await page.locator(`tr[data-delta="${m}"]`).waitFor();
  }
  // The charts draw A dashed beside B, and the diagram marks the replicas B changed.
  await page.locator('#chart-latency .legend li.dashed', { hasText: 'A · p99' }).waitFor();
  await page.locator('.node.changed[data-tier="replica"]').first().waitFor();
  assert.equal(await page.locator('.node.changed[data-tier="app"]').count(), 0);
  // The link holds both scenarios.
  await page.waitForURL(/[?&]a=v%3D1%26stage%3D6/);
  const link = new URL(page.url()).search;
  const again = await open(link);
  await again.locator('[data-compare="changed"]', { hasText: `${before + 2} read replicas, up from ${before}` }).waitFor();
  await again.locator('tr[data-delta="cost_usd_per_month"]').waitFor();
  await again.locator('.node.changed[data-tier="replica"]').first().waitFor();
  await screenshot(again, 'compare-desktop');
  // Leaving compare mode keeps B.
  await again.locator('[data-compare="leave"]').click();
  await again.waitForURL((u) => !u.search.includes('&a='));
  assert.equal(Number(await again.locator('#replicas').inputValue()), before + 2);
  assert.equal(await again.locator('.node.changed').count(), 0);
  // The CLI's compare gives the same change in the bill.
  const a = new URLSearchParams(link).get('a');
  const out = JSON.parse(execFileSync(cli(), ['compare', '--scenario', a, '--scenario', link, '--json']).toString());
  const d = out.deltas.find((x) => x.metric === 'cost_usd_per_month');
  assert.ok(d.change > 0 && d.worsened, JSON.stringify(d));
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.context().close();
  await again.context().close();
});
