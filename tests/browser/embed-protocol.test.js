// The embed protocol v1 (public/embed-protocol.md) end to end, as a course site runs it: the example lesson
// (public/lesson.html on public/scalesim-host.js) served from one loopback origin, scalesim from another. The
// lesson drives every command through its buttons and the helper, and hears every event; a sibling frame cannot
// command; bad values are rejected naming the field; the challenge step ends attempts as passed, failed and
// completed. A link pinned to another origin ignores its embedder and never posts to '*' (the embedder, on
// scalesim's own origin, records the target of every postMessage the frame makes). Sandboxed without
// allow-same-origin (no storage), scalesim still runs, challenge included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serveDist, launch, openPage, screenshot, DIST, SHOTS, DESKTOP, PHONE } from './harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let app;
let course;
let browser;
const servers = [];

/** Every command and every event of protocol v1. */
const COMMANDS = ['setScenario', 'setStage', 'setLoad', 'setKnob', 'applyFix', 'addFault', 'play', 'pause', 'seek', 'setChallenge', 'getState'];
const EVENTS = ['ready', 'change', 'stage', 'bottleneck', 'challenge', 'result', 'state', 'rejected', 'height', 'error'];

/** Run in every frame before its scripts: keeps each CSP violation. */
const LISTEN = () => {
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
};

before(async () => {
  app = await serveDist();
  // The lesson as a course site hosts it: a copy pointing at scalesim's address, which its policy lets it frame.
  const lesson = (await readFile(join(DIST, 'public', 'lesson.html'), 'utf8'))
    .replace('data-app="../"', `data-app="${app.url}"`)
    .replace("frame-src 'self'", `frame-src ${app.origin}`);
  assert.ok(lesson.includes(app.url) && lesson.includes(`frame-src ${app.origin}`), 'the copy points at scalesim');
  course = await serveDist({ '/lessons/scalesim/public/lesson.html': lesson });
  servers.push(app, course);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

/** The frame element's content frame by the iframe's id. */
const frame = async (page, id) => (await page.locator(`#${id}`).elementHandle()).contentFrame();
/** Waits until the lesson has heard an event of `type` from `step` for which `pred` holds (the latest such);
 *  returns it. The predicate runs here, not in the page, whose policy forbids eval. */
async function heard(page, step, type, pred = () => true, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const events = await page.evaluate(([s, t]) => window.lesson.events[s].filter((e) => e.type === t), [step, type]);
    const found = events.reverse().find(pred);
    if (found) return found;
    if (Date.now() > end) assert.fail(`${step}: no matching ${type} event; heard ${JSON.stringify(events.slice(0, 3))}`);
    await page.waitForTimeout(50);
  }
}
/** Screenshots of the lesson: the whole page, and each step in the viewport (a full-page shot leaves frames
 *  that are off screen unpainted). */
async function shots(page, name) {
  await screenshot(page, name);
  for (const step of ['step1', 'step2', 'step3']) {
    await page.locator(`#${step}-heading`).scrollIntoViewIfNeeded();
    await page.evaluate((id) => document.getElementById(id).scrollIntoView(), `${step}-heading`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, `${name}-${step}.png`) });
  }
}
/** A step of the lesson, by its heading. */
const STEPS = { 1: 'Step 1. One server under rising load', 2: 'Step 2. Add the fix', 3: 'Step 3. A challenge' };
const step = (page, n) => page.getByRole('region', { name: STEPS[n] });
/** Calls a method of the lesson's helper for `step` (commands the lesson has no button for). */
const call = (page, step, method, ...args) => page.evaluate(([s, m, a]) => window.lesson.sims[s][m](...a), [step, method, args]);
/** Asks `step`'s scalesim for its state (getState) until `pred` holds; returns that state. */
async function stateUntil(page, step, pred) {
  let state;
  for (let i = 0; i < 100; i += 1) {
    state = await page.evaluate((s) => window.lesson.sims[s].getState(), step);
    if (pred(state)) return state;
    await page.waitForTimeout(100);
  }
  assert.fail(`${step}: the state never matched; last ${JSON.stringify({ t: state.t, playing: state.playing })}`);
}
/** How many events of `type` the lesson has heard from `step`. */
const count = (page, step, type) => page.evaluate(([s, t]) => window.lesson.events[s].filter((e) => e.type === t).length, [step, type]);

test('the lesson on another origin drives every command and hears every event', async () => {
  const page = await openPage(browser, `${course.url}public/lesson.html`, DESKTOP, LISTEN);
  for (const step of ['step1', 'step2', 'step3']) {
    const ready = await heard(page, step, 'ready');
    assert.deepEqual(ready.commands, COMMANDS);
  }
  const step1 = await frame(page, 'step1');
  const step2 = await frame(page, 'step2');
  const step3 = await frame(page, 'step3');
  assert.ok(step1.url().startsWith(app.origin) && page.url().startsWith(course.origin) && app.origin !== course.origin);
  assert.ok(step1.url().includes(`origin=${encodeURIComponent(course.origin)}`), 'the lesson pins its origin');

  // Step 1: setLoad from the load buttons; change reports it as the host's, the bottleneck follows.
  await heard(page, 'step1', 'bottleneck');
  await page.getByRole('button', { name: '10,000 users' }).click();
  const loaded = await heard(page, 'step1', 'change', (e) => /[?&]?users=10000&/.test(e.query));
  assert.equal(loaded.user, false);
  await step1.waitForURL(/users=10000&/);
  const broken = await heard(page, 'step1', 'bottleneck', (e) => e.component !== null);
  await step(page, 1).getByRole('status').filter({ hasText: broken.component }).waitFor();
  // A sibling frame (step 1's scalesim) cannot command step 2's.
  await step1.evaluate(() => parent.frames[1].postMessage({ target: 'scalesim', v: 1, type: 'setLoad', users: 7777 }, '*'));

  // Step 2: setKnob, applyFix, setStage, addFault, play, pause, seek, setScenario.
  // At 3,000 users the single server's CPU is the bottleneck; the lesson shows the table's fix and applies it.
  const cpu = await heard(page, 'step2', 'bottleneck', (e) => e.component !== null);
  assert.equal(cpu.fix, 'app-cpu');
  assert.match(cpu.label, /bigger server/);
  await step(page, 2).getByRole('status').filter({ hasText: cpu.label }).waitFor();
  await page.getByRole('button', { name: 'Apply the suggested fix' }).click();
  await heard(page, 'step2', 'change', (e) => e.query.includes('&size=m6i.xlarge&') && e.user === false);
  await page.getByRole('button', { name: 'Give the database its own server' }).click();
  await heard(page, 'step2', 'change', (e) => e.query.includes('&db=1&') && e.user === false);
  await step(page, 2).getByRole('status').filter({ hasText: 'nothing to fix at this load' }).waitFor();
  await page.getByRole('button', { name: 'Go to the load-balancer stage' }).click();
  await heard(page, 'step2', 'stage', (e) => e.stage === 5);
  await page.getByRole('button', { name: 'Kill an app server at 60 s' }).click();
  await heard(page, 'step2', 'change', (e) => e.query.includes('faults=kill_app@60'));
  await page.getByRole('button', { name: 'Play the run' }).click();
  await stateUntil(page, 'step2', (s) => s.playing === true);
  await page.getByRole('button', { name: 'Pause' }).click();
  await stateUntil(page, 'step2', (s) => s.playing === false);
  await page.getByRole('button', { name: 'Back to the start' }).click();
  await stateUntil(page, 'step2', (s) => s.t === 0);
  await call(page, 'step2', 'seek', 90);
  await stateUntil(page, 'step2', (s) => s.t === 90);
  await page.getByRole('button', { name: 'Start step 2 again' }).click();
  const reset = await heard(page, 'step2', 'change', (e) => e.query.includes('stage=1&') && !e.query.includes('faults='));
  assert.match(reset.query, /users=3000&/);
  await step2.waitForURL(/stage=1&/);
  assert.notEqual(new URL(step2.url()).searchParams.get('users'), '7777', 'the sibling frame was ignored');

  // Bad commands are rejected naming the field and change nothing; the lesson says so.
  await call(page, 'step1', 'setKnob', 'ttl', 'banana');
  const bad = await heard(page, 'step1', 'rejected', (e) => e.command === 'setKnob');
  assert.equal(bad.field, 'value');
  assert.match(bad.message, /ttl/);
  await step(page, 1).getByRole('status').filter({ hasText: 'refused setKnob' }).waitFor();
  await call(page, 'step1', 'setKnob', 'wings', 1);
  await heard(page, 'step1', 'rejected', (e) => e.field === 'knob');
  await call(page, 'step1', 'setLoad', 1e300);
  await heard(page, 'step1', 'rejected', (e) => e.command === 'setLoad' && e.field === 'users');
  await call(page, 'step1', 'setStage', 99);
  await heard(page, 'step1', 'rejected', (e) => e.command === 'setStage' && e.field === 'stage');
  assert.equal(new URL(step1.url()).searchParams.get('users'), '10000', 'nothing of a rejected command applied');
  // A getState answer: the scenario, the summary by the CLI's names, the bottleneck.
  const state = await page.evaluate(() => window.lesson.sims.step1.getState());
  assert.match(state.query, /users=10000&/);
  assert.ok(Number.isFinite(state.summary['latency_ms.p99']) && Number.isFinite(state.summary.error_rate), JSON.stringify(state.summary));
  assert.equal(state.challenge, null);

  // Step 3: the challenge. Goals arrive; the learner passes inside the frame; the banner says so.
  const first = await heard(page, 'step3', 'challenge');
  assert.equal(first.id, 'lb-single-point');
  assert.equal(first.passed, false);
  assert.deepEqual(Object.keys(first.goals[0]).sort(), ['actual', 'met', 'metric', 'op', 'over', 'target']);
  await page.getByRole('list', { name: 'Goals of the challenge' }).getByText(/^error_rate ≤ 1 %: now 33\.3 % — not yet$/).waitFor();
  await page.getByRole('button', { name: 'How am I doing?' }).click();
  await step(page, 3).getByRole('status').filter({ hasText: /^Now: .* % of requests fail/ }).waitFor();
  await step3.getByLabel('Load balancer as a redundant pair').check();
  await heard(page, 'step3', 'challenge', (e) => e.passed);
  const passed = await heard(page, 'step3', 'result');
  assert.equal(passed.verb, 'passed');
  assert.equal(passed.success, true);
  assert.equal(passed.completion, true);
  assert.deepEqual(passed.score, { scaled: 1, raw: 1, max: 1 });
  assert.match(passed.duration, /^PT(\d+M)?\d+S$/);
  await page.getByRole('status').filter({ hasText: 'Lesson complete: you passed the challenge' }).waitFor();
  await shots(page, 'lesson-desktop');
  // Another challenge from the lesson's picker; the learner tries the tempting wrong fix, then moves on: failed.
  await page.getByLabel('Challenge', { exact: true }).selectOption('primary-failover');
  await heard(page, 'step3', 'challenge', (e) => e.id === 'primary-failover' && e.goals[0].actual !== null);
  // The new challenge locks what it does not allow, as its link would.
  assert.equal(await step3.getByLabel('Load balancer as a redundant pair').isDisabled(), true);
  assert.equal(await step3.getByLabel('Database size').isDisabled(), false);
  await step3.getByLabel('Database size').selectOption('m6i.8xlarge');
  await heard(page, 'step3', 'change', (e) => e.user === true && e.query.includes('dbsize=m6i.8xlarge'));
  await page.getByLabel('Challenge', { exact: true }).selectOption('deploy-logs-everyone-out');
  const failed = await heard(page, 'step3', 'result', (e) => e.verb === 'failed');
  assert.deepEqual([failed.success, failed.completion, failed.challenge, failed.score.raw], [false, false, 'primary-failover', 0]);
  await page.getByRole('status').filter({ hasText: 'You moved on before meeting every goal' }).waitFor();
  // The page does it for the learner: completed, no success claimed.
  await heard(page, 'step3', 'challenge', (e) => e.id === 'deploy-logs-everyone-out');
  await call(page, 'step3', 'setKnob', 'sessions', 'redis');
  const completed = await heard(page, 'step3', 'result', (e) => e.verb === 'completed');
  assert.deepEqual([completed.success, completed.completion, completed.challenge], [null, true, 'deploy-logs-everyone-out']);
  // setChallenge by query: an author's goals.
  // setChallenge by query: an author's goals; a hint that looks like markup is shown as text.
  await call(page, 'step3', 'setChallenge', { query: 'goals=p99_ms<=100000&hints=<b onclick="x()">bold</b>' });
  await heard(page, 'step3', 'challenge', (e) => e.id === null && e.goals[0].metric === 'p99_ms');
  await step3.getByRole('heading', { name: 'Your challenge' }).waitFor();
  await step3.getByRole('button', { name: 'Show a hint (1 of 1)' }).click();
  await step3.getByText('<b onclick="x()">bold</b>', { exact: true }).waitFor();
  assert.equal(await step3.locator('.challenge-hints b').count(), 0, 'no markup from a message');

  // The frames fit their content.
  for (const step of ['step1', 'step2', 'step3']) {
    const height = await page.evaluate((s) => window.lesson.events[s].filter((e) => e.type === 'height').at(-1).height, step);
    const box = await page.locator(`#${step}`).evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(Math.abs(box - height) <= 2, `${step}: frame ${box} px, content ${height} px`);
  }
  for (const f of page.frames()) assert.deepEqual(await f.evaluate(() => window.violations), [], f.url());
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.messages, []);

  // Last, the error event: scalesim in step 1 stops (the test-only panic export); the lesson says so.
  await step1.evaluate(async () => {
    const tag = document.querySelector('script[data-js]');
    const module = await import(new URL(tag.dataset.js, document.baseURI).href);
    try {
      module.scalesim_test_panic();
    } catch {
      // the module traps after the panic hook has run
    }
  });
  const error = await heard(page, 'step1', 'error');
  assert.equal(error.url.startsWith(app.origin), true);
  await step(page, 1).getByRole('status').filter({ hasText: 'The simulator stopped' }).waitFor();

  const all = await page.evaluate(() => Object.values(window.lesson.events).flat());
  assert.deepEqual(EVENTS.filter((t) => !all.some((e) => e.type === t)), [], 'every event type was heard');
  assert.ok(all.every((e) => e.v === 1 && e.source === 'scalesim'));
  await page.context().close();
});

test('the lesson at phone width: it fits, and axe-core finds no violation on it', async () => {
  const page = await openPage(browser, `${course.url}public/lesson.html`, PHONE);
  for (const step of ['step1', 'step2', 'step3']) await heard(page, step, 'height');
  await heard(page, 'step3', 'challenge');
  await page.waitForTimeout(500);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target}`), []);
  await shots(page, 'lesson-phone');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** A page on scalesim's own origin that frames `src` and records the target origin of every postMessage the frame
 *  makes to it (the frame calls parent.postMessage, which on the same origin is this page's own property). */
const recorder = (src) => `<!doctype html><meta charset="utf-8"><title>recorder</title><link rel="icon" href="data:,">
<script>
  window.targets = []; window.got = [];
  const real = window.postMessage.bind(window);
  window.postMessage = (message, target, ...rest) => { window.targets.push(String(target)); return real(message, target, ...rest); };
  addEventListener('message', (e) => { if (e.data && e.data.source === 'scalesim') window.got.push(e.data.type); });
</script>
<iframe id="sim" title="scalesim" src="${src}" width="900" height="700"></iframe>`;

test('pinned to another origin: the embedder is not heard, and nothing is posted to "*"', async () => {
  const elsewhere = 'https://course.example.org';
  const pinned = `${app.url}?v=1&stage=1&users=500&embed=1&origin=${encodeURIComponent(elsewhere)}`;
  const unpinned = `${app.url}?v=1&stage=1&users=500&embed=1`;
  const host = await serveDist({ '/pinned.html': recorder(pinned.replace(app.origin, '')), '/unpinned.html': recorder(unpinned.replace(app.origin, '')) });
  servers.push(host);
  // The recorder shares the frame's origin (the frame loads this server's copy of the site by a path), so it sees
  // the frame's calls.
  const page = await openPage(browser, `${host.origin}/pinned.html`, DESKTOP);
  const sim = page.frameLocator('#sim');
  await sim.locator('#bottleneck-status').waitFor();
  await page.frameLocator('#sim').getByLabel('Users', { exact: true }).waitFor();
  await page.waitForFunction(() => window.targets.length >= 3);
  // A message from this page's origin (not the pinned one) is ignored, even from the parent window.
  await page.evaluate((o) => document.getElementById('sim').contentWindow.postMessage({ target: 'scalesim', v: 1, type: 'setLoad', users: 4242 }, o), host.origin);
  await page.waitForTimeout(1000);
  const inFrame = await (await page.locator('#sim').elementHandle()).contentFrame();
  assert.notEqual(new URL(inFrame.url()).searchParams.get('users'), '4242');
  const targets = await page.evaluate(() => window.targets);
  assert.ok(targets.length >= 3, JSON.stringify(targets));
  assert.deepEqual([...new Set(targets)], [elsewhere], 'every message went to the pinned origin, none to "*"');
  assert.deepEqual(await page.evaluate(() => window.got), [], 'so this page heard none of them');
  await page.context().close();

  // Unpinned, the frame posts to its embedder's origin as the referrer gives it, still never to '*'.
  const open = await openPage(browser, `${host.origin}/unpinned.html`, DESKTOP);
  await open.waitForFunction(() => window.got.includes('ready') && window.got.includes('bottleneck'));
  assert.deepEqual([...new Set(await open.evaluate(() => window.targets))], [host.origin]);
  await open.context().close();
});

test('in a sandboxed frame without storage scalesim runs, challenge included', async () => {
  // An opaque origin makes scalesim's own scripts and wasm cross-origin to it: the host serves them with CORS.
  const cors = await serveDist({}, { 'access-control-allow-origin': '*' });
  const host = await serveDist({
    '/sandbox.html': `<!doctype html><meta charset="utf-8"><title>sandbox</title><link rel="icon" href="data:,">
<script>window.got = []; addEventListener('message', (e) => { if (e.data && e.data.source === 'scalesim') window.got.push({ type: e.data.type, origin: e.origin, passed: e.data.passed }); });</script>
<iframe id="sim" title="scalesim" sandbox="allow-scripts" src="${cors.url}?v=1&amp;challenge=lb-single-point&amp;embed=1" width="1000" height="900"></iframe>`,
  });
  servers.push(cors, host);
  const page = await openPage(browser, `${host.origin}/sandbox.html`, DESKTOP);
  const sim = page.frameLocator('#sim');
  await sim.getByRole('heading', { name: 'The load balancer dies' }).waitFor();
  const inFrame = await (await page.locator('#sim').elementHandle()).contentFrame();
  assert.equal(await inFrame.evaluate(() => { try { return typeof window.localStorage.length; } catch (e) { return e.name; } }), 'SecurityError');
  await sim.locator('[data-goal="error_rate"] .goal-state', { hasText: 'not yet' }).waitFor();
  await sim.getByLabel('Load balancer as a redundant pair').check();
  await sim.getByRole('status').filter({ hasText: 'Passed!' }).waitFor();
  // Its events still reach the host, from the opaque origin.
  await page.waitForFunction(() => window.got.some((m) => m.type === 'challenge' && m.passed));
  const got = await page.evaluate(() => window.got);
  assert.ok(got.some((m) => m.type === 'ready') && got.every((m) => m.origin === 'null'), JSON.stringify(got));
  assert.ok(!got.some((m) => m.type === 'result'), 'no result without a pinned origin');
  // A worker needs the page's own origin, which this frame does not have: exact mode says so and the page goes on.
  await sim.getByRole('button', { name: 'Run exact' }).click();
  const refusal = sim.getByRole('region', { name: 'Exact engine' }).getByRole('alert');
  assert.match(await refusal.textContent(), /^Exact mode cannot run in this frame: .*sandbox/);
  await sim.getByLabel('Load balancer as a redundant pair').uncheck();
  await sim.locator('[data-goal="error_rate"] .goal-state', { hasText: 'not yet' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
