// A course author builds the lesson's frame from the page: which panels it shows and which knobs the learner
// cannot change; the snippet follows, and the frame it describes shows exactly that (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openReady, openPage } from './harness.js';

const ctx = useSite();

test('the author picks panels and locks from the page, and the snippet\'s frame shows exactly that', async () => {
  const page = await openReady(ctx, '?v=1&stage=6&users=20000');
  await page.getByText('Embed in a lesson').click();
  const panels = page.getByRole('group', { name: 'Panels the lesson shows' });
  const locks = page.getByRole('group', { name: 'Knobs the learner cannot change' });
  for (const p of ['knobs', 'charts', 'plan', 'compare', 'challenge']) await panels.getByLabel(p, { exact: true }).uncheck();
  await locks.getByLabel('ttl', { exact: true }).check();
  await locks.getByLabel('users', { exact: true }).check();
  const snippet = await page.locator('#embed-snippet').inputValue();
  assert.match(snippet, /&embed=1&panels=diagram,controls,playback,faults,metrics,table&lock=users,ttl"/);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  assert.ok(src.includes('stage=6') && src.includes('users=20000'), 'the scenario travels with the choices');
  // The frame as the snippet describes it.
  const frame = await openPage(ctx.browser, src);
  await frame.locator('#bottleneck-status').waitFor();
  assert.equal(await frame.getByRole('heading', { name: 'Knobs' }).count(), 0, 'no knobs panel');
  assert.equal(await frame.locator('canvas').count(), 0, 'no charts');
  assert.ok(await frame.getByRole('figure').first().isVisible(), 'the diagram is there');
  assert.ok(await frame.locator('#users').isDisabled(), 'the load is locked');
  assert.deepEqual(frame.problems, []);
  assert.deepEqual(page.problems, []);
  await frame.context().close();
  await page.context().close();
});
