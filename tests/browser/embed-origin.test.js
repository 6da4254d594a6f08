// The embed bridge across origins, as a course platform runs it: the app on one origin, the lesson on another.
// With `origin=` pinned to the lesson's origin the lesson gets the app's events and its commands act; a sibling
// frame's commands are ignored (only the parent may command); a page on a third origin that embeds the same link
// hears nothing (every message is posted to the pinned origin, never to "*") and its commands are ignored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.js';

let app;
let browser;
const hosts = [];

const hostPage = (src) => `<!doctype html><meta charset="utf-8"><title>lesson</title><link rel="icon" href="data:,">
<script>window.got = []; addEventListener('message', (e) => { if (e.data && e.data.source === 'scalesim') got.push({ type: e.data.type, v: e.data.v, origin: e.origin }); });</script>
<iframe id="app" src="${src}" width="1000" height="800"></iframe><iframe id="other" srcdoc="<p>another frame</p>"></iframe>`;

before(async () => {
  app = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await app?.close();
  for (const h of hosts) await h.close();
});

/** A lesson page on its own origin embedding the app at `query` (`ORIGIN` replaced by the lesson's origin). */
async function lesson(query, pinTo = null) {
  // The lesson's page names its own origin in the app's link, so the server starts first and is given the page.
  const extra = {};
  const server = await serveDist(extra);
  hosts.push(server);
  extra['/lesson.html'] = hostPage(app.url + query.replace('ORIGIN', encodeURIComponent(pinTo ?? server.origin)));
  const page = await openPage(browser, server.origin + '/lesson.html');
  return { page, origin: server.origin };
}

const appFrame = (page) => page.frames().find((f) => f.url().startsWith(app.origin));
const users = (page) => Number(new URL(appFrame(page).url()).searchParams.get('users'));

test('pinned to the lesson: events arrive, the parent commands, a sibling frame does not', async () => {
  const { page } = await lesson('?v=1&stage=3&users=1000&embed=1&origin=ORIGIN');
  await page.waitForFunction(() => window.got.some((m) => m.type === 'ready'));
  const ready = await page.evaluate(() => window.got.find((m) => m.type === 'ready'));
  assert.deepEqual(ready, { type: 'ready', v: 1, origin: app.origin });
  // A sibling frame on the lesson's own origin tries to command the app: ignored.
  const sibling = page.frames().find((f) => f !== page.mainFrame() && !f.url().startsWith(app.origin));
  await sibling.evaluate(() => parent.frames[0].postMessage({ target: 'scalesim', type: 'setLoad', users: 7777 }, '*'));
  await page.waitForTimeout(600);
  assert.notEqual(users(page), 7777);
  // The lesson itself commands it.
  await page.evaluate((o) => document.getElementById('app').contentWindow.postMessage({ target: 'scalesim', type: 'setLoad', users: 5000 }, o), app.origin);
  await appFrame(page).waitForURL(/users=5000&/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pinned to another origin: a third-party page hears nothing and cannot command', async () => {
  const { page } = await lesson('?v=1&stage=3&users=1000&embed=1&origin=ORIGIN', 'https://course.example.org');
  const frame = await (async () => {
    for (let i = 0; i < 50 && !appFrame(page); i++) await page.waitForTimeout(100);
    return appFrame(page);
  })();
  await frame.locator('#bottleneck-status').waitFor();
  await page.evaluate((o) => document.getElementById('app').contentWindow.postMessage({ target: 'scalesim', type: 'setLoad', users: 4242 }, o), app.origin);
  await page.waitForTimeout(1000);
  assert.deepEqual(await page.evaluate(() => window.got), [], 'nothing was posted where this page could hear it');
  assert.notEqual(users(page), 4242);
  await page.context().close();
});
