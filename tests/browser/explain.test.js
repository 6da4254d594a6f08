// Issue 17, "why this number" and the glossary: every headline figure's "Why?" button is reached with Tab and
// opened with Enter, and the formula's result it shows is the figure beside it (both read as text); a live table
// row's explanation opens under the row and its glossary link opens the glossary at the term; a term's first use
// in the stage text shows its meaning on keyboard focus and hides it on Escape; the glossary lists at least 60
// terms; and with every panel open the page meets its Content-Security-Policy and the console stays silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, DESKTOP, PHONE, SHOTS } from './harness.js';

const ctx = useSite();

/** Run before the page's scripts: keeps each CSP violation the document reports. */
const LISTEN = () => {
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
};

async function open(query, viewport = DESKTOP) {
  const page = await openPage(ctx.browser, ctx.site.url + query, viewport, LISTEN);
  await page.locator('#bottleneck-status').waitFor();
  return page;
}

/** Presses Tab until `locator` has the focus (at most `limit` times). */
async function tabTo(page, locator, limit = 20) {
  for (let i = 0; i < limit; i += 1) {
    if (await locator.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab did not reach ${locator}`);
}

const text = async (locator) => (await locator.textContent()).trim();

for (const query of ['?v=1&stage=6&users=30000', '?v=1&stage=10&users=200000']) {
  test(`every headline figure's explanation opens from the keyboard and gives the figure shown (${query})`, async () => {
    const page = await open(query);
    const ids = await page.$$eval('.metrics .metric', (els) =>
      els.filter((e) => e.querySelector('button.why')).map((e) => e.querySelector('[data-metric]').dataset.metric),
    );
    for (const id of ['offered', 'served', 'errors', 'p50', 'p99', 'cache-hit', 'lag', 'stale', 'instances', 'cost-now', 'cost']) {
      assert.ok(ids.includes(id), `${id} has a Why? button (${ids})`);
    }
    // Keyboard navigation starts at the panel's heading, then Tab moves from one figure's button to the next.
    await page.locator('#metrics-heading').click();
    for (const id of ids) {
      const figure = page.locator(`.metric:has([data-metric="${id}"])`);
      const label = await text(figure.locator('dt'));
      const button = page.getByRole('button', { name: `Why? ${label}`, exact: true });
      assert.equal(await button.count(), 1, `one button named "Why? ${label}"`);
      await tabTo(page, button);
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      await page.keyboard.press('Enter');
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      const panel = page.getByRole('region', { name: `Why: ${label}`, exact: true });
      await panel.locator('[data-why-result]').waitFor();
      // The figure stays in view above its explanation, and the formula's result is the figure.
      assert.ok(await figure.locator('[data-metric]').isVisible(), `${id} still visible`);
      const shown = await text(page.locator(`[data-metric="${id}"]`));
      assert.equal(await text(panel.locator('[data-why-result]')), shown, `${id}: the formula's result is the figure shown`);
      assert.match(await text(panel.locator(':scope > .why-formula .why-symbols')), /^\S+ = ./, `${id}: a formula`);
      assert.match(await text(panel.locator(':scope > .why-plugged .why-numbers')), /^\S+ = ./, `${id}: the formula with this run's values`);
      assert.ok((await panel.locator('.why-steps dt').count()) >= 1, `${id}: its inputs`);
      assert.ok(await panel.locator('.why-term a').count(), `${id}: a glossary link`);
      // Enter again closes it, and the focus stays on the button.
      await page.keyboard.press('Enter');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await panel.count(), 0, 'the closed panel is hidden from the accessibility tree');
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test("the offered load's formula plugs in the users, their rate and the peak", async () => {
  const page = await open('?v=1&stage=6&users=30000');
  await page.getByRole('button', { name: 'Why? Offered', exact: true }).click();
  const offered = page.getByRole('region', { name: 'Why: Offered' });
  assert.equal(await text(offered.locator('.why-symbols')), 'λ = N × r × f × m');
  assert.equal(await text(offered.locator('.why-plugged')), `With this run's values: λ = 30,000 × 0.05 × 2 × 1 = ${await text(page.locator('[data-metric="offered"]'))}`);
  await page.context().close();
});

test("a live row's explanation opens under it and its glossary link opens the glossary at the term", async () => {
  const page = await open('?v=1&stage=1&users=5000');
  await page.waitForFunction(() => document.querySelector('tr[data-row="app-cpu"]').classList.contains('live'));
  const button = page.locator('tr[data-why-for="app-cpu"] button.why');
  await button.focus();
  await page.keyboard.press('Enter');
  const panel = page.locator('#why-row-app-cpu');
  await panel.locator('[data-why-result]').waitFor();
  // Saturated: the formula carries its cap, so the arithmetic on screen holds.
  assert.equal(await text(panel.locator(':scope > .why-formula .why-symbols')), 'ρ = min(λ × S ÷ c, 100 %)');
  assert.match(await text(panel.locator(':scope > .why-plugged .why-numbers')), /^ρ = min\([\d,]+ req\/s × [\d.]+ ms ÷ \d+, 100 %\)$/);
  const now = (await text(page.locator('tr[data-row="app-cpu"] td.num'))).split(' / ')[0].trim();
  assert.equal(await text(panel.locator('[data-why-result]')), now, 'the formula gives the row’s value');
  // Demand beyond what the box can do is said in words.
  assert.match(await text(panel.locator(':scope > .why-note')), /Demand is \d+ % of what an app server can do/);
  // The row itself still has one button: its fix.
  assert.equal(await page.locator('tr[data-row="app-cpu"]').getByRole('button').count(), 1);
  await panel.getByRole('link', { name: 'Utilisation' }).click();
  assert.ok(await page.locator('#glossary').evaluate((d) => d.open), 'the glossary opened');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'term-utilisation');
  assert.ok(await page.locator('#term-utilisation').isVisible());
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every quiet row explains its value too, or says why its check does not apply now', async () => {
  for (const query of ['?v=1&stage=1&users=100', '?v=1&stage=12&users=20000']) {
    const page = await open(query);
    await page.getByText(/^Checks that pass \(\d+\)$/).click();
    const ids = await page.locator('details.quiet-rows tr[data-row]').evaluateAll((r) => r.map((x) => x.dataset.row));
    assert.ok(ids.length >= 25, `${ids.length} quiet rows`);
    for (const id of ids) {
      await page.locator(`details.quiet-rows tr[data-why-for="${id}"] button.why`).click();
      const panel = page.locator(`#why-row-${id}`);
      await panel.locator('[data-why-result]').waitFor();
      const result = await text(panel.locator('[data-why-result]'));
      const shown = (await text(page.locator(`details.quiet-rows tr[data-row="${id}"] td.num`))).split(' / ')[0].trim();
      const notes = await panel.locator(':scope > .why-note').allTextContents();
      assert.ok(
        result === shown || notes.some((n) => /stays quiet whatever the formula gives/.test(n)),
        `${query} ${id}: the formula gives ${result}, the row reads ${shown}, and no note says why`,
      );
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('a term in the stage text shows its meaning on keyboard focus and hides it on Escape', async () => {
  const page = await open('?v=1&stage=5&users=5000');
  const term = page.locator('.stage .explain dfn.term-word').first();
  await term.waitFor();
  const tipId = await term.getAttribute('aria-describedby');
  const tip = page.locator(`#${tipId}`);
  assert.equal(await tip.getAttribute('role'), 'tooltip');
  assert.equal(await tip.isVisible(), false, 'hidden until asked for');
  await page.locator('#stage').focus();
  await tabTo(page, term, 10);
  assert.ok(await tip.isVisible(), 'shown on keyboard focus');
  // The tooltip says what the glossary says about the term.
  const id = await term.evaluate((el) => el.closest('[data-term]').dataset.term);
  assert.equal(await text(tip), await text(page.locator(`#term-${id} dd`).first()));
  await page.keyboard.press('Escape');
  assert.equal(await tip.isVisible(), false, 'hidden on Escape');
  // Each term is marked on its first use only.
  const ids = await page.$$eval('.stage [data-term]', (els) => els.map((e) => e.dataset.term));
  assert.equal(new Set(ids).size, ids.length, `${ids}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the glossary lists at least 60 terms, each with its meaning and why it matters', async () => {
  const page = await open('?v=1&stage=6&users=30000');
  await page.locator('#glossary summary').click();
  const entries = page.locator('#glossary .term-entry');
  const n = await entries.count();
  assert.ok(n >= 60, `${n} terms`);
  const empty = await entries.evaluateAll((els) => els.filter((e) => e.querySelectorAll('dt, dd').length !== 3 || [...e.querySelectorAll('dt, dd')].some((x) => !x.textContent.trim())).length);
  assert.equal(empty, 0);
  await page.context().close();
});

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`with explanations and the glossary open the page meets its CSP and stays silent (${name}), and a screenshot`, async () => {
    const page = await open('?v=1&stage=6&users=30000', viewport);
    for (const button of await page.locator('.metrics button.why').all()) await button.click();
    for (const button of await page.locator('tr.why-row button.why').all()) await button.click();
    await page.locator('#glossary summary').click();
    await page.locator('.stage dfn.term-word').first().focus();
    await page.getByLabel('Users', { exact: true }).fill('480');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('users') !== '30000');
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(page.messages, []);
    assert.deepEqual(page.problems, []);
    await page.context().close();

    // A class's view: one explanation open beside its figure.
    const shot = await open('?v=1&stage=6&users=30000', viewport);
    await shot.getByRole('button', { name: 'Why? p99 latency', exact: true }).click();
    const panel = shot.getByRole('region', { name: 'Why: p99 latency' });
    await panel.locator('[data-why-result]').waitFor();
    await shot.locator('.metric:has([data-metric="p99"])').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await mkdir(SHOTS, { recursive: true });
    await shot.screenshot({ path: join(SHOTS, `explain-${name}.png`) });
    await shot.context().close();

    // And a live row's: the app servers' utilisation on a saturated single box.
    const row = await open('?v=1&stage=1&users=5000', viewport);
    await row.locator('tr[data-why-for="app-cpu"] button.why').click();
    await row.locator('#why-row-app-cpu [data-why-result]').waitFor();
    await row.locator('tr[data-row="app-cpu"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await row.screenshot({ path: join(SHOTS, `explain-row-${name}.png`) });
    await row.context().close();
  });
}
