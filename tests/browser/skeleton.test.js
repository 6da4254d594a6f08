// The walking skeleton: the built page loads from a sub-path, its wasm runs, the Users slider drives a figure
// that sim-core computes, and the page works inside an iframe. Fails on a blank page, missing wasm, a wrong
// figure, or any console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Asserts that `selector` has a non-zero size and, scrolled into view, lies within the viewport's width and
 *  shows on screen. */
async function assertOnScreen(page, selector, viewport) {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  const box = await el.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${selector} has a size: ${JSON.stringify(box)}`);
  assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 0.5, `${selector} fits the width: ${JSON.stringify(box)}`);
  assert.ok(box.y < viewport.height && box.y + box.height > 0, `${selector} is on screen: ${JSON.stringify(box)}`);
}

test('screenshots at phone and desktop sizes', async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await openPage(ctx.browser, ctx.site.url, viewport);
    await page.locator('#peak-rps').waitFor();
    const path = await screenshot(page, `skeleton-${name}`);

    // The file is a real full-page picture: as wide as the viewport (nothing overflows sideways), as tall as the
    // page, and big enough to hold more than a blank page.
    const bytes = await readFile(path);
    const { width, height } = pngSize(bytes);
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.equal(width, viewport.width, `${name}: screenshot width`);
    assert.ok(height >= viewport.height && Math.abs(height - pageHeight) <= 1, `${name}: screenshot height ${height}, page ${pageHeight}`);
    assert.ok(bytes.length > 100_000, `${name}: screenshot is only ${bytes.length} bytes`);

    // The scroll through the page drew every chart (each is drawn when first on screen): a painted canvas is
    // opaque and holds more than one colour; an undrawn one is transparent.
    const charts = await page.$$eval('.chart canvas', (canvases) =>
      canvases.map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return { id: c.parentElement.id, opaque: data[3] === 255, colours: colours.size, width: c.width, shown: c.clientWidth };
      }),
    );
    assert.equal(charts.length, 7, `${name}: chart count`);
    for (const c of charts) {
      assert.ok(c.opaque && c.colours > 3, `${name}: ${c.id} was drawn: ${JSON.stringify(c)}`);
      assert.ok(c.width >= c.shown && c.shown > 0, `${name}: ${c.id} is drawn at its shown width: ${JSON.stringify(c)}`);
    }

    // The key regions are laid out on screen.
    await assertOnScreen(page, '#peak-rps', viewport);
    await assertOnScreen(page, '.diagram .svg-scroll', viewport);
    await assertOnScreen(page, '.diagram svg', { width: Infinity, height: viewport.height });
    await assertOnScreen(page, '#chart-latency canvas', viewport);

    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
