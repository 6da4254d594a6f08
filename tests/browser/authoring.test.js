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
  for (const p of ['charts', 'plan', 'compare', 'challenge', 'exact']) await panels.getByLabel(p, { exact: true }).uncheck();
  await locks.getByLabel('ttl', { exact: true }).check();
  await locks.getByLabel('users', { exact: true }).check();
  // The knobs panel shows only the cache TTL and the replicas.
  const shown = page.getByRole('group', { name: 'Knobs the knobs panel shows' });
  const ids = await shown.locator('input').evaluateAll((inputs) => inputs.map((i) => i.parentElement.textContent.trim()));
  for (const id of ids) if (!['ttl', 'replicas'].includes(id)) await shown.getByLabel(id, { exact: true }).uncheck();
  const snippet = await page.locator('#embed-snippet').inputValue();
  assert.match(snippet, /&embed=1&panels=diagram,controls,knobs,playback,faults,metrics,table&lock=users,ttl&knobs=ttl,replicas"/);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  assert.ok(src.includes('stage=6') && src.includes('users=20000'), 'the scenario travels with the choices');
  // The frame as the snippet describes it.
  const frame = await openPage(ctx.browser, src);
  await frame.locator('#bottleneck-status').waitFor();
  // The knobs panel holds the two knobs the author kept, the TTL locked.
  assert.ok(await frame.locator('#ttl').isDisabled(), 'the TTL is shown and locked');
  assert.ok(!(await frame.locator('#replicas').isDisabled()), 'the replicas are shown and free');
  for (const hidden of ['app', 'size', 'cdn', 'dbsize', 'asg']) assert.equal(await frame.locator(`#${hidden}`).count(), 0, `${hidden} is hidden`);
  assert.equal(await frame.locator('canvas').count(), 0, 'no charts');
  assert.ok(await frame.getByRole('figure').first().isVisible(), 'the diagram is there');
  assert.ok(await frame.locator('#users').isDisabled(), 'the load is locked');
  assert.deepEqual(frame.problems, []);
  assert.deepEqual(page.problems, []);
  await frame.context().close();
  await page.context().close();
});
