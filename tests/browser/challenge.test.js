// Challenges in a real browser: a built-in challenge's link opens its setup with the knobs it does not allow
// locked, shows each goal's live value, gives hints one at a time, passes once the learner applies the fix (with
// the same verdict as `scalesim check` for the page's own link), and remembers the pass in local storage; an
// author's goals in the link work the same way and a bad goal is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useSite, screenshot, PHONE, openReady, ROOT } from './harness.js';

const ctx = useSite();

function cli() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: ROOT }).toString());
  const bin = join(meta.target_directory, 'debug', 'scalesim');
  assert.ok(existsSync(bin), `the CLI (${bin}) is built by \`cargo test --workspace --all-features\` first`);
  return bin;
}

/** `scalesim check` for a link: [exit status, verdict]. */
function check(search) {
  try {
    return [0, JSON.parse(execFileSync(cli(), ['check', '--scenario', search, '--json']).toString())];
  } catch (e) {
    return [e.status, JSON.parse(e.stdout.toString())];
  }
}

test('a built-in challenge: brief, locked knobs, hints, the fix passes it, as the CLI says', async () => {
  const page = await openReady(ctx, '?v=1&challenge=slow-saves');
  await page.locator('[data-challenge="title"]', { hasText: 'Saves take seconds' }).waitFor();
  const goal = page.locator('[data-goal="p99_ms"]');
  await goal.locator('.goal-state', { hasText: 'not yet' }).waitFor();
  assert.match(await goal.locator('.goal-actual').textContent(), /s$/);
  // The load is part of the task: the slider is locked; the queue is allowed.
  assert.equal(await page.locator('#users').isDisabled(), true);
  await page.waitForURL(/challenge=slow-saves/);
  let [code, verdict] = check(new URL(page.url()).search);
  assert.equal(code, 1);
  assert.equal(verdict.passed, false);
  // Hints come one at a time.
  await page.locator('[data-challenge="hint"]').click();
  assert.equal(await page.locator('.challenge-hints li').count(), 1);
  await page.locator('[data-challenge="hint"]').click();
  assert.equal(await page.locator('.challenge-hints li').count(), 2);
  assert.equal(await page.locator('[data-challenge="hint"]').isDisabled(), true);
  // The fix: move the slow jobs to a queue.
  await page.locator('#queue').check();
  await page.locator('[data-challenge="passed"]').waitFor();
  assert.equal(await goal.getAttribute('data-met'), 'true');
  await page.waitForURL(/queue=1/);
  [code, verdict] = check(new URL(page.url()).search);
  assert.equal(code, 0);
  assert.equal(verdict.passed, true);
  const shown = parseFloat(await goal.locator('.goal-actual').textContent());
  assert.ok(Math.abs(shown - verdict.goals[0].actual) <= 0.5, `page ${shown} ms vs CLI ${verdict.goals[0].actual}`);
  await screenshot(page, 'challenge-passed-desktop');
  // The pass is remembered.
  const list = await openReady(ctx, '?v=1&stage=3', PHONE);
  await list.locator('.challenge-list [data-challenge="slow-saves"]').waitFor({ state: 'attached' });
  assert.equal(await list.locator('.challenge-list li', { hasText: 'Saves take seconds' }).locator('.done').count(), 0, 'a new context has its own storage');
  await list.context().close();
  const again = await page.context().newPage();
  await again.goto(ctx.site.url + '?v=1&stage=3');
  await again.locator('.challenge-list li', { hasText: 'Saves take seconds' }).locator('.done').waitFor({ state: 'attached' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("an author's goals in the link, and a bad goal named", async () => {
  const page = await openReady(ctx, '?v=1&stage=5&users=60000&app=3&goals=error_rate%3C%3D0.01,p99_ms%3C%3D2000%40every&hints=Think%20static');
  await page.locator('[data-challenge="title"]', { hasText: 'Your challenge' }).waitFor();
  await page.locator('[data-goal="error_rate"] .goal-state', { hasText: 'not yet' }).waitFor();
  await page.locator('#cdn').check();
  await page.locator('[data-challenge="passed"]').waitFor();
  const bad = await openReady(ctx, '?v=1&stage=5&goals=p99_ms%3C200');
  await bad.locator('.notices', { hasText: 'goals' }).waitFor();
  assert.equal(await bad.locator('[data-challenge="title"]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
  await bad.context().close();
});
