// Shared set-up: Debian's Chromium, launched the way that works on these machines (no network
// side traffic, a fresh profile), and the address of the server under test.
import { chromium } from 'playwright-core';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const BASE_URL = process.env.BASE_URL;
if (!BASE_URL) throw new Error('BASE_URL must name the server under test (the ./test script sets it)');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch({ javaScriptEnabled = true } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'signpost-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    javaScriptEnabled,
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 900 },
  });
  if (javaScriptEnabled) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  }
  return context;
}

/** Collects what the page's Content-Security-Policy refused (reported on the console). */
export function cspRefusals(page) {
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  return refused;
}

/** Waits until the page's islands are live (the last island, HydrationMark, sets this attribute). */
export async function hydrated(page) {
  await page.waitForSelector('main[data-hydrated="true"]', { state: 'attached', timeout: 30_000 });
}

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page and returns the serious and critical violations. */
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol: the pages' Content-Security-Policy (rightly) refuses
  // an inline <script> without its nonce, so axe cannot be added as one.
  await page.evaluate(`${axeSource}\n;true`);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
