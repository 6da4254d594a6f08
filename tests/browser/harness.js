// Shared harness for the browser tests: serves the built dist/ under a sub-path (as a static host would),
// launches Debian's headless Chromium through playwright-core, and records every console error and page error
// so a test fails when the page logs one.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const DIST = process.env.DIST_DIR || join(ROOT, 'dist');
export const SHOTS = join(ROOT, 'artifacts', 'screenshots');
/** The sub-path the site is mounted under, so relative URLs are exercised. */
export const BASE = '/lessons/scalesim/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Scripts a test adds to a page with `page.addScriptTag({ path })` (axe-core), served at these paths of every
 *  server here: see openPage. */
const INJECTED = new Map();

/** Starts a static server on a free loopback port. `extra` maps absolute paths to HTML served as-is; `headers`
 *  are added to every response from dist/ (for example a Content-Security-Policy). */
export async function serveDist(extra = {}, headers = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const injected = INJECTED.get(url.pathname);
    if (injected) {
      res.writeHead(200, { 'content-type': TYPES['.js'] });
      res.end(await readFile(injected));
      return;
    }
    if (extra[url.pathname]) {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(extra[url.pathname]);
      return;
    }
    if (!url.pathname.startsWith(BASE)) {
      res.writeHead(404).end('not under the base path');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(BASE.length)) || 'index.html';
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(DIST, rel));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, url: origin + BASE, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Debian Chromium with the flags this closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Opens the site at `query` in a fresh context and waits until the table's headline is up (the page has run). */
export async function openReady(ctx, query, viewport = DESKTOP) {
  const page = await openPage(ctx.browser, ctx.site.url + query, viewport);
  await page.locator('#bottleneck-status').waitFor();
  return page;
}

/** Opens a page that records console errors, page errors and failed requests into `page.problems`.
 *  `init` (optional) is a script run in every frame before the page's own (playwright's addInitScript). Every
 *  console message of any type is also kept in `page.messages`, for the tests that want a silent console. */
export async function openPage(browser, url, viewport = { width: 1440, height: 900 }, init = null) {
  const context = await browser.newContext({ viewport });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.problems = [];
  page.messages = [];
  page.on('console', (msg) => {
    page.messages.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A test that moves on as soon as a page has rendered aborts that page's favicon fetch: the test's haste.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && /\/favicon-[0-9a-f]+\.svg$/.test(req.url())) return;
    page.problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (resp) => {
    if (resp.status() >= 400) page.problems.push(`HTTP ${resp.status()}: ${resp.url()}`);
  });
  // The page's Content-Security-Policy blocks inline scripts, and playwright adds `{ path }` as one: serve the
  // file from the page's own origin instead, so a test's tools run under the policy like the page.
  const addScriptTag = page.addScriptTag.bind(page);
  page.addScriptTag = (options) => {
    if (!options?.path) return addScriptTag(options);
    const at = `/__harness__/${resolve(options.path).replace(/[^A-Za-z0-9.]+/g, '_')}`;
    INJECTED.set(at, resolve(options.path));
    const { path, ...rest } = options;
    return addScriptTag({ ...rest, url: new URL(at, page.url()).href });
  };
  await page.goto(url);
  return page;
}

/** Saves a full-page screenshot under artifacts/screenshots/, after scrolling through the page once so that
 *  everything drawn on first sight (the charts) has been drawn, as for a person scrolling. */
export async function screenshot(page, name) {
  await mkdir(SHOTS, { recursive: true });
  await page.evaluate(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 60));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(200);
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Saves what the first screen shows (the viewport, not the whole page) under artifacts/screenshots/. */
export async function screenshotView(page, name) {
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

/** Registers before/after hooks that start the static server and the browser for a test file; returns an object
 *  whose `site` and `browser` are set once the hooks have run. `extra` is passed to serveDist. */
export function useSite(extra = {}) {
  const ctx = { site: null, browser: null };
  before(async () => {
    ctx.site = await serveDist(extra);
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.site?.close();
  });
  return ctx;
}

/** The `scalesim` CLI that `cargo test --workspace --all-features` built (found through cargo's target dir). */
export function cli() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: ROOT }).toString());
  const bin = join(meta.target_directory, 'debug', 'scalesim');
  if (!existsSync(bin)) throw new Error(`the CLI (${bin}) is built by \`cargo test --workspace --all-features\` before the browser tests`);
  return bin;
}
