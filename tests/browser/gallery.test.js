// Screenshots to look at (issue 13): every stage of the combined journey at phone and desktop sizes, and each
// fault at its worst moment. Each fault's moment must show the fault: its flag on the timeline and the page's
// headline or diagram saying what it did, in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openReady, screenshotView, PHONE, DESKTOP } from './harness.js';

const ctx = useSite();

test('every stage of the journey at phone and desktop sizes', async () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await openReady(ctx, '?journey=scalesim&step=1', viewport);
    for (let step = 1; step <= 12; step++) {
      await page.goto(ctx.site.url + `?journey=scalesim&step=${step}`);
      await page.locator('#bottleneck-status').waitFor();
      await page.waitForTimeout(400);
      await screenshotView(page, `gallery-stage-${String(step).padStart(2, '0')}-${size}`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

/** Each fault on a stage that has what it breaks, and the moment to look at (seconds). */
const FAULTS = [
  ['kill_app', 5, 65, /^Outage: Dead app server.*App server 12 \(still sent requests · out in \d+ s\), down/],
  ['deploy', 5, 62, /restarting/],
  ['kill_lb', 5, 65, /^Outage: Load balancer down.*Load balancer \(replaced in /],
  ['spike', 6, 90, /Bottleneck|spike/i],
  ['flush_cache', 6, 62, /Redis \(CPU [^)]*hit (\d|[1-6]\d) %/],
  ['kill_db', 6, 65, /^Outage: Database primary down.*Postgres primary \(promoting a replica · \d+ s\), down/],
  ['write_burst', 6, 120, /lag|Replica|Bottleneck|Consistency/],
  ['downstream', 8, 120, /^Outage: Downstream service down.*Queue → [\d,]+ workers \(downstream down · /],
  ['kill_region', 11, 70, /^Outage: Region dark.*Region 1 · North America: dark · /],
];

test('each fault at its worst moment', async () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await openReady(ctx, '?journey=scalesim&step=5', viewport);
    for (const [fault, step, t, said] of FAULTS) {
      const extra = fault === 'kill_lb' ? '&lb_ha=0' : '';
      await page.goto(ctx.site.url + `?journey=scalesim&step=${step}&faults=${fault}@60${extra}&t=${t}`);
      await page.locator('#bottleneck-status').waitFor();
      await page.waitForTimeout(600);
      const words = (await page.locator('#bottleneck-status').textContent()) + (await page.locator('svg[role="img"]').first().getAttribute('aria-label'));
      assert.match(words, said, `${fault} at ${t} s on stage ${step}: ${words.slice(0, 300)}`);
      await screenshotView(page, `gallery-fault-${fault}-${size}`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
