// Undo and redo of scenario changes (buttons and keys), and Back after a stage change (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openReady } from './harness.js';

const ctx = useSite();

test('undo and redo take back and restore a change, by button and by key', async () => {
  const page = await openReady(ctx, '?v=1&stage=4&users=20000&ttl=60');
  const ttl = page.getByLabel('Cache TTL');
  const undo = page.getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('button', { name: 'Redo' });
  assert.ok(await undo.isDisabled(), 'nothing to undo on a fresh page');
  await ttl.selectOption('300');
  await page.waitForURL(/ttl=300&/);
  // The change becomes an undo step once the scenario has been still for a moment.
  await undo.waitFor({ state: 'visible' });
  await page.waitForFunction(() => !document.querySelector('.undo-redo button').disabled);
  await undo.click();
  await page.waitForURL(/ttl=60&/);
  assert.equal(await ttl.inputValue(), '60');
  assert.ok(!(await redo.isDisabled()));
  await redo.click();
  await page.waitForURL(/ttl=300&/);
  assert.equal(await ttl.inputValue(), '300');
  // Keys: Ctrl+Z undoes, Ctrl+Shift+Z redoes (focus on the page, not in a text field).
  await page.locator('h1').click();
  await page.keyboard.press('Control+z');
  await page.waitForURL(/ttl=60&/);
  await page.keyboard.press('Control+Shift+z');
  await page.waitForURL(/ttl=300&/);
  // A slider drag is one step: many input events, one undo.
  await page.evaluate(() => {
    const slider = document.getElementById('users');
    for (let i = 0; i < 30; i++) {
      slider.value = String(20 + i);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  await page.waitForTimeout(700);
  await undo.click();
  await page.waitForURL(/users=20000&/);
  assert.equal(await ttl.inputValue(), '300', 'one undo took back the whole drag and nothing before it');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Back after picking another stage returns to the stage before', async () => {
  const page = await openReady(ctx, '?journey=scalesim&step=4');
  const stage = page.getByLabel('Stage', { exact: true });
  await page.waitForURL(/step=4/);
  await stage.selectOption('6');
  await page.waitForURL(/step=6/);
  await page.goBack();
  await page.waitForURL(/step=4/);
  assert.equal(await stage.inputValue(), '4');
  await page.locator('#bottleneck-status').waitFor();
  assert.match(page.url(), /[?&]stage=4&/, 'the scenario is stage 4 again, not only the picker');
  await page.goForward();
  await page.waitForURL(/step=6/);
  assert.equal(await stage.inputValue(), '6');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
