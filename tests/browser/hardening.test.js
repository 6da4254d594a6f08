// Hardening (issue 18, the page's side): the Content-Security-Policy the build ships in dist/index.html is met by
// everything the page does (no `securitypolicyviolation` event while it loads and is used: the load slider, every
// stage, every fault, playback, a fix, the export and share buttons, inside a lesson's frame too), the console
// stays silent through the same use (not a warning, not an error), and a panic leaves a page that says so, links
// back to the scenario and to a fresh start, and tells the host page through the embed protocol. The example
// lesson page (public/lesson.html) carries a policy of its own and is held to the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, DESKTOP, PHONE, DIST, BASE } from './harness.js';

/** A same-origin lesson page that frames scalesim and keeps every message it posts, like public/lesson.html. */
const HOST = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head><body>
<iframe id="sim" title="scalesim" width="1000" height="700" src="${BASE}?v=1&amp;stage=6&amp;users=30000&amp;embed=1"></iframe>
<script>window.messages = []; addEventListener('message', (e) => window.messages.push(e.data));</script>
</body></html>`;

const ctx = useSite({ '/host.html': HOST });

/** Run in every frame before the page's scripts: keeps each CSP violation the document reports. */
const LISTEN = () => {
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample || ''}`.trim());
  });
};

/** Slider position for a user count (100 steps per decade). */
const position = (users) => String(Math.round(Math.log10(users) * 100));

/** Opens the page with the violation listener and waits until it has run. */
async function openListening(url, viewport = DESKTOP) {
  const page = await openPage(ctx.browser, url, viewport, LISTEN);
  await page.locator('#bottleneck-status').waitFor();
  return page;
}

/** Scrolls through the page so that everything drawn on first sight (the charts) is drawn, as for a reader. */
async function scrollThrough(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 40));
    }
    window.scrollTo(0, 0);
  });
}

/** What a learner does in a session: every control family the page has, and every export. */
async function use(page) {
  const users = page.getByLabel('Users', { exact: true });
  for (const n of [300, 5_000, 80_000, 2_000_000, 20_000]) await users.fill(position(n));
  const stage = page.getByLabel('Stage', { exact: true });
  for (let s = 1; s <= 12; s += 1) {
    await stage.selectOption(String(s));
    await page.waitForFunction((want) => new URL(location.href).searchParams.get('stage') === want, String(s));
  }
  await scrollThrough(page);
  // Every fault, at the cursor, on the stage that has every component.
  const faults = page.locator('section.faults .buttons button');
  const labels = (await faults.allTextContents()).filter((t) => t !== 'Clear faults');
  assert.ok(labels.length >= 9, `fault buttons: ${labels}`);
  for (const label of labels) await page.getByRole('button', { name: label, exact: true }).click();
  await page.getByLabel('Timeline').fill('60');
  await page.getByRole('button', { name: 'Next event' }).click();
  await page.getByLabel('Speed').selectOption('600');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction(() => !['0 s', '1 min 00 s'].includes(document.querySelector('#clock').textContent));
  await page.getByRole('button', { name: 'Pause' }).click();
  await scrollThrough(page);
  // A fix from the table, then the knobs move the other way.
  const fix = page.locator('tr.live button').first();
  assert.ok(await fix.count(), 'a live row with a fix');
  await fix.click();
  await page.getByRole('button', { name: 'Clear faults' }).click();
  // Share and export: copy the link, both downloads, every chart's PNG, the embed snippet, an import.
  await page.getByRole('button', { name: 'Copy link' }).click();
  for (const name of ['Scenario (JSON)', 'Series (CSV)']) {
    const link = page.getByRole('link', { name });
    await link.hover();
    const download = page.waitForEvent('download');
    await link.click();
    await (await download).cancel();
  }
  const pngs = page.getByRole('link', { name: /^Download the .* chart as PNG$/ });
  const count = await pngs.count();
  assert.ok(count >= 7, `${count} chart downloads`);
  for (let i = 0; i < count; i += 1) {
    await pngs.nth(i).scrollIntoViewIfNeeded();
    await pngs.nth(i).hover();
    const download = page.waitForEvent('download');
    await pngs.nth(i).click();
    await (await download).cancel();
  }
  await page.getByText('Embed in a lesson').click();
  await page.getByText('Import a scenario').click();
  const json = decodeURIComponent((await page.getByRole('link', { name: 'Scenario (JSON)' }).getAttribute('href')).split(',')[1]);
  await page.getByLabel('Scenario JSON').fill(json);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-status').getByText('Scenario imported.').waitFor();
  // A moment for anything deferred (late preloads are reported after a few seconds, the charts' redraws).
  await page.waitForTimeout(3500);
}

test('the shipped policy is in dist/index.html, before any script, and not weakened', async () => {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(meta, 'a CSP meta tag');
  assert.ok(html.indexOf(meta[0]) < html.indexOf('<script'), 'the policy comes before the first script');
  const policy = Object.fromEntries(meta[1].split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(policy['default-src'], ["'none'"]);
  assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(policy['style-src'], ["'self'"]);
  assert.deepEqual(policy['base-uri'], ["'none'"]);
  assert.ok(!meta[1].includes('frame-ancestors'), 'frame-ancestors is ignored in a meta tag (and warns): it is a header');
  // No integrity on the wasm preload (Chromium ignores it there and warns); the names still carry a hash.
  assert.ok(!/rel="preload"[^>]*integrity/.test(html), 'no integrity attribute on the wasm preload');
  assert.match(html, /scalesim-web-[0-9a-f]{8,16}_bg\.wasm/);
});

test('no Content-Security-Policy violation on load and through a whole session', async () => {
  const page = await openListening(`${ctx.site.url}?v=1&stage=4&users=20000`);
  assert.deepEqual(await page.evaluate(() => window.violations), [], 'on load');
  await use(page);
  assert.deepEqual(await page.evaluate(() => window.violations), [], 'during use');
  assert.deepEqual(page.messages, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the console stays empty on load and through a whole session, on a phone too', async () => {
  const page = await openListening(`${ctx.site.url}?v=1&stage=6&users=50000&ttl=300`, PHONE);
  await page.waitForTimeout(3500); // a preload not used in time is reported after about three seconds
  assert.deepEqual(page.messages, [], 'on load');
  await use(page);
  assert.deepEqual(page.messages, [], 'during use');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await page.context().close();
});

test('embedded in a lesson: no violation and a silent console in the frame', async () => {
  const page = await openPage(ctx.browser, `${ctx.site.origin}/host.html`, DESKTOP, LISTEN);
  await page.waitForFunction(() => window.messages.some((m) => m.type === 'ready'));
  const frame = page.frameLocator('#sim');
  await frame.getByLabel('Users', { exact: true }).fill(position(200_000));
  await frame.getByRole('button', { name: 'Kill the database primary' }).click();
  await page.waitForTimeout(1000);
  const inFrame = page.frames().find((f) => f.url().includes('embed=1'));
  assert.deepEqual(await inFrame.evaluate(() => window.violations), []);
  assert.deepEqual(page.messages, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the example lesson page keeps its own policy: no violation in it or its three frames, a silent console', async () => {
  const page = await openPage(ctx.browser, `${ctx.site.url}public/lesson.html`, DESKTOP, LISTEN);
  for (const name of ['step1', 'step2']) {
    await page.waitForFunction((n) => window.lesson.events[n].some((m) => m.type === 'bottleneck'), name);
  }
  await page.waitForFunction(() => window.lesson.events.step3.some((m) => m.type === 'challenge'));
  await page.getByRole('button', { name: 'Go to the load-balancer stage' }).click();
  await page.waitForFunction(() => window.lesson.events.step2.some((m) => m.type === 'stage' && m.stage === 5));
  await page.getByRole('button', { name: 'How am I doing?' }).click();
  await page.locator('#step3-status', { hasText: 'Now:' }).waitFor();
  await page.waitForTimeout(1000);
  for (const frame of page.frames()) assert.deepEqual(await frame.evaluate(() => window.violations), [], frame.url());
  assert.match(await page.locator('.log').first().evaluate((el) => getComputedStyle(el).fontFamily), /monospace/, 'the stylesheet applies');
  assert.deepEqual(page.messages, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** Calls the test-only panic export of the page's own module (see `scalesim_test_panic` in src/main.rs). */
const panic = async () => {
  const tag = document.querySelector('script[data-js]');
  const module = await import(new URL(tag.dataset.js, document.baseURI).href);
  try {
    module.scalesim_test_panic();
    return 'returned';
  } catch (e) {
    return String(e);
  }
};

test('a panic replaces the page with a message and links to the scenario and to a fresh start', async () => {
  const page = await openListening(`${ctx.site.url}?v=1&stage=5&users=12000&ttl=900`);
  await page.waitForURL(/seed=1&/); // the address holds the full scenario
  const scenario = page.url();
  assert.match(await page.evaluate(panic), /RuntimeError: unreachable/, 'the module traps after the hook (panic = "abort")');
  const alert = page.getByRole('alert');
  await alert.getByRole('heading', { name: 'scalesim stopped' }).waitFor();
  assert.equal(await page.title(), 'scalesim stopped');
  assert.equal(await page.locator('#bottleneck-status').count(), 0, 'the app is gone');
  const again = alert.getByRole('link', { name: 'Open this scenario again' });
  const fresh = alert.getByRole('link', { name: 'Start again' });
  assert.equal(await again.evaluate((a) => a.href), scenario);
  assert.equal(await fresh.evaluate((a) => a.href), ctx.site.url, 'the same page without the query');
  // The panic itself is logged (console_error_panic_hook); nothing else is wrong.
  assert.ok(page.messages.some((m) => m.startsWith('error:') && m.includes('scalesim_test_panic() was called')), page.messages.join('\n'));
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  // Both links lead to a working page: the scenario as it was, and the first stage with default settings.
  await again.click();
  await page.locator('#bottleneck-status').waitFor();
  assert.equal(await page.getByLabel('Cache TTL').inputValue(), '900');
  await page.evaluate(panic);
  await page.getByRole('link', { name: 'Start again' }).click();
  await page.locator('#bottleneck-status').waitFor();
  await page.waitForURL(/stage=1&/);
  assert.equal(await page.getByLabel('Stage', { exact: true }).inputValue(), '1');
  await page.context().close();
});

test('an embedded scalesim that panics tells the host with an error event and its new height', async () => {
  const page = await openPage(ctx.browser, `${ctx.site.origin}/host.html`, DESKTOP, LISTEN);
  await page.waitForFunction(() => window.messages.some((m) => m.type === 'ready'));
  const inFrame = page.frames().find((f) => f.url().includes('embed=1'));
  await inFrame.waitForURL(/seed=/);
  const scenario = inFrame.url();
  await inFrame.evaluate(panic);
  await page.waitForFunction(() => window.messages.some((m) => m.type === 'error'));
  const messages = await page.evaluate(() => window.messages);
  const error = messages.find((m) => m.type === 'error');
  assert.deepEqual(error, { source: 'scalesim', v: 1, type: 'error', message: 'scalesim stopped after an internal error.', url: scenario });
  const after = messages.slice(messages.indexOf(error) + 1);
  assert.ok(after.some((m) => m.type === 'height' && m.height > 0 && m.height < 700), JSON.stringify(after));
  await page.frameLocator('#sim').getByRole('heading', { name: 'scalesim stopped' }).waitFor();
  assert.deepEqual(await inFrame.evaluate(() => window.violations), []);
  await page.context().close();
});
