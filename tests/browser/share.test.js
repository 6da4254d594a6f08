// Sharing and embedding in a real browser: the URL is the scenario, mangled links keep what they can and say
// what they could not, the example lesson page hears from both embedded frames and drives one, locked knobs
// cannot be changed, and a JSON export imports back to the same scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, serveDist, openPage, DESKTOP, openReady } from './harness.js';

const ctx = useSite();

const open = (query, viewport) => openReady(ctx, query, viewport);

test('the URL round-trips the scenario and follows the knobs', async () => {
  const page = await open('?v=1&stage=6&users=50000&ttl=300&replicas=3&seed=9');
  await page.waitForURL(/users=50000/);
  const url = new URL(page.url());
  for (const [k, v] of [['stage', '6'], ['users', '50000'], ['ttl', '300'], ['replicas', '3'], ['seed', '9']]) {
    assert.equal(url.searchParams.get(k), v, k);
  }
  assert.equal(await page.getByLabel('Read replicas').inputValue(), '3');
  // Reopening the written URL gives the same figures.
  const p99 = await page.locator('[data-metric="p99"]').textContent();
  await page.getByLabel('Read replicas').fill('5');
  await page.waitForURL(/replicas=5/);
  const again = await open(new URL(page.url()).search);
  assert.equal(await again.getByLabel('Read replicas').inputValue(), '5');
  await again.getByLabel('Read replicas').fill('3');
  await again.waitForFunction((want) => document.querySelector('[data-metric="p99"]').textContent === want, p99);
  assert.deepEqual([...page.problems, ...again.problems], []);
  await page.context().close();
  await again.context().close();
});

test('a mangled link keeps what it can and names every field it could not use', async () => {
  const page = await open('?v=1&stage=4&users=abc&replicas=99&colour=blue&ttl=300&lock=wings&t=-5');
  const notices = await page.locator('.notices li').allTextContents();
  const text = notices.join('\n');
  for (const field of ['users', 'replicas', 'colour', 'wings', 't = -5']) assert.ok(text.includes(field), `${field} in ${text}`);
  // The good fields survived; the bad ones fell back or were clamped.
  assert.equal(await page.getByLabel('Cache TTL').inputValue(), '300');
  assert.equal(await page.getByLabel('Read replicas').inputValue(), '10');
  assert.equal(await page.getByLabel('Stage', { exact: true }).inputValue(), '4');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the lesson page hears from its three frames, drives them, and the locks hold', async () => {
  const page = await openPage(ctx.browser, `${ctx.site.url}public/lesson.html`, DESKTOP);
  for (const name of ['step1', 'step2', 'step3']) {
    await page.waitForFunction((n) => {
      const types = window.lesson.events[n].map((m) => m.type);
      return types.includes('ready') && types.includes('height') && types.includes(n === 'step3' ? 'challenge' : 'bottleneck');
    }, name);
  }
  const first = page.frameLocator('#step1');
  const second = page.frameLocator('#step2');
  const third = page.frameLocator('#step3');
  // Locked knobs are shown but cannot be changed; the challenge locks every knob it does not allow.
  assert.equal(await first.getByLabel('Users', { exact: true }).isDisabled(), true);
  assert.equal(await first.getByLabel('Stage', { exact: true }).isDisabled(), true);
  assert.equal(await second.getByLabel('Users', { exact: true }).isDisabled(), true);
  assert.equal(await second.getByLabel('Stage', { exact: true }).isDisabled(), false);
  assert.equal(await third.getByLabel('Cache TTL').isDisabled(), true);
  assert.equal(await third.getByLabel('Load balancer as a redundant pair').isDisabled(), false);
  // Panels: the first frame shows no charts and no knobs, the third the challenge.
  assert.equal(await first.locator('.charts').count(), 0);
  assert.equal(await first.locator('.knobs').count(), 0);
  await third.getByRole('heading', { name: 'The load balancer dies' }).waitFor();
  // The host drives the frames.
  await page.getByRole('button', { name: 'Go to the load-balancer stage' }).click();
  await page.waitForFunction(() => window.lesson.events.step2.some((m) => m.type === 'stage' && m.stage === 5));
  await page.getByRole('button', { name: '1,000 users' }).click();
  await first.locator('#peak-rps').getByText('100 req/s').waitFor();
  // The frames grew to their content.
  const height = await page.locator('#step2').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(height > 520, `iframe height ${height}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a scenario exported as JSON imports back to the same scenario', async () => {
  const page = await open('?v=1&stage=5&users=12000&ttl=900&sessions=sticky');
  const link = page.getByRole('link', { name: 'Scenario (JSON)' });
  await link.hover(); // the download is written when the pointer reaches the link
  const href = await link.getAttribute('href');
  const json = decodeURIComponent(href.slice(href.indexOf(',') + 1));
  assert.equal(JSON.parse(json).users, 12000);
  await page.waitForURL(/seed=1&/); // the page has written the full scenario
  const before = new URL(page.url()).search;
  // Change things, then import the export.
  await page.getByLabel('Cache TTL').selectOption('10');
  await page.getByLabel('App servers', { exact: true }).fill('7');
  await page.waitForURL(/app=7/);
  await page.getByText('Import a scenario').click();
  await page.getByLabel('Scenario JSON').fill('{"broken": true}');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-status').getByText('the current scenario is kept').waitFor();
  assert.equal(await page.getByLabel('App servers', { exact: true }).inputValue(), '7');
  await page.getByLabel('Scenario JSON').fill(json);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-status').getByText('Scenario imported.').waitFor();
  await page.waitForTimeout(400);
  assert.equal(new URL(page.url()).search, before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the page runs under the headers the README suggests a host adds, without inline scripts', async () => {
  // On top of the policy in the page's own meta tag (tests/browser/hardening.test.js): both are enforced.
  const strict = await serveDist({}, { 'content-security-policy': "frame-ancestors 'self'", 'referrer-policy': 'no-referrer' });
  try {
    const page = await openPage(ctx.browser, strict.url + '?v=1&stage=4&users=20000', DESKTOP);
    await page.locator('#bottleneck-status').getByText('Bottleneck').waitFor();
    assert.ok(!(await page.content()).match(/<script(?![^>]*\bsrc=)[^>]*>/), 'no inline script in the page');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    await strict.close();
  }
});

test('the same URL gives the same numbers on the page and in the CLI', async () => {
  const { execFileSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT } = await import('./harness.js');
  // Cargo says where it builds (CARGO_TARGET_DIR, a config's build.target-dir, or target/ in the workspace).
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: ROOT }).toString());
  const cli = join(meta.target_directory, 'debug', 'scalesim');
  assert.ok(existsSync(cli), `the CLI (${cli}) is built by \`cargo test --workspace --all-features\` before the browser tests`);
  const query = '?v=1&stage=6&users=20000&ttl=300&seed=4';
  const page = await open(`${query}&t=120`);
  await page.waitForURL(/seed=4&/);
  const shared = new URL(page.url()).search;
  const out = JSON.parse(execFileSync(cli, ['run', '--scenario', shared, '--json']).toString());
  const text = async (id) => (await page.locator(`[data-metric="${id}"]`).textContent()).trim();
  const num = (s) => Number(s.replace(/[^0-9.]/g, ''));
  assert.equal(num(await text('offered')), Math.round(out.offered_rps));
  assert.equal(await text('cache-hit'), `${Math.round(out.cache_hit_rate * 100)} %`);
  assert.equal(num(await text('cost')), Math.round(out.cost_usd_per_month));
  for (const [id, key] of [['p50', 'p50'], ['p99', 'p99']]) {
    const shown = num(await text(id));
    assert.ok(Math.abs(shown - out.latency_ms[key]) <= 0.5, `${id}: page ${shown} ms vs CLI ${out.latency_ms[key]} ms`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the embed snippet follows every change, not the one before it', async () => {
  const page = await open('?v=1&stage=6&users=20000&ttl=60');
  await page.getByText('Embed in a lesson').click();
  const snippet = page.locator('#embed-snippet');
  await page.getByLabel('Cache TTL').selectOption('300');
  await page.waitForFunction(() => document.querySelector('#embed-snippet').value.includes('ttl=300'));
  await page.getByLabel('Read replicas').fill('4');
  await page.waitForFunction(() => document.querySelector('#embed-snippet').value.includes('replicas=4'));
  const src = (await snippet.inputValue()).match(/src="([^"]+)"/)[1];
  assert.equal(new URL(src).searchParams.get('ttl'), '300');
  assert.equal(new URL(src).searchParams.get('embed'), '1');
  assert.equal(new URL(src).search.replace('&embed=1', ''), new URL(page.url()).search, 'the snippet is the address bar plus embed=1');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
