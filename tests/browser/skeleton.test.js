// The walking skeleton: the built page loads from a sub-path, its wasm runs, the Users slider drives a figure
// that sim-core computes, and the page works inside an iframe. Fails on a blank page, missing wasm, a wrong
// figure, or any console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, PHONE, DESKTOP } from './harness.js';

// Defaults documented in sim-core's traffic module: 0.05 requests/s per user, peak factor 2.
const expectedPeak = (users) => users * 0.05 * 2;
const fmt = (n) => `${Math.round(n).toLocaleString('en-US')} req/s`;

const ctx = useSite({
    '/lesson.html': `<!DOCTYPE html><html lang="en"><head><title>Lesson</title><link rel="icon" href="data:,"></head><body>
      <h1>A lesson page</h1><iframe title="scalesim" src="/lessons/scalesim/" width="800" height="600"></iframe>
      </body></html>`,
  });

test('the Users slider drives the peak-load figure computed by sim-core', async () => {
  const page = await openPage(ctx.browser, ctx.site.url, DESKTOP);
  const slider = page.getByLabel('Users', { exact: true });
  const figure = page.locator('#peak-rps');
  await figure.waitFor();
  assert.equal((await figure.textContent()).trim(), fmt(expectedPeak(1_000)));

  await slider.fill('400'); // 10^4 users
  assert.equal((await figure.textContent()).trim(), fmt(expectedPeak(10_000)));

  await slider.fill('600'); // 10^6 users
  assert.equal((await figure.textContent()).trim(), fmt(expectedPeak(1_000_000)));

  await slider.focus();
  await page.keyboard.press('End');
  assert.equal((await figure.textContent()).trim(), fmt(expectedPeak(10_000_000)));

  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the page works inside an iframe on another path', async () => {
  const page = await openPage(ctx.browser, `${ctx.site.origin}/lesson.html`, DESKTOP);
  const frame = page.frameLocator('iframe[title="scalesim"]');
  const figure = frame.locator('#peak-rps');
  await figure.waitFor();
  await frame.getByLabel('Users', { exact: true }).fill('500');
  assert.equal((await figure.textContent()).trim(), fmt(expectedPeak(100_000)));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots at phone and desktop sizes', async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await openPage(ctx.browser, ctx.site.url, viewport);
    await page.locator('#peak-rps').waitFor();
    const path = await screenshot(page, `skeleton-${name}`);
    assert.ok(path.endsWith('.png'));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
