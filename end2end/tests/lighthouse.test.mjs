// Lighthouse (desktop preset) on the search page and a brand page: performance, accessibility
// and best practices must each score at least 95, as the median of three runs. The mobile
// preset's 4x simulated CPU slowdown makes performance swing between about 91 and 99 from one
// run to the next on a 2-core machine, too noisy for a gate; its figures are in the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_URL, CHROMIUM, CHROMIUM_FLAGS } from './browser.mjs';

const run = promisify(execFile);
const RUNS = 3;
const MIN = 0.95;

async function lighthouse(url) {
  const dir = await mkdtemp(join(tmpdir(), 'signpost-lh-'));
  const out = join(dir, 'report.json');
  await run('npx', ['lighthouse', url, '--quiet', '--preset=desktop', '--only-categories=performance,accessibility,best-practices',
    `--chrome-flags=${CHROMIUM_FLAGS.join(' ')}`, '--output=json', `--output-path=${out}`],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, timeout: 180_000 });
  const report = JSON.parse(await readFile(out, 'utf8'));
  return Object.fromEntries(Object.entries(report.categories).map(([k, v]) => [k, v.score]));
}

async function medianScores(url) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await lighthouse(url));
  const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  return { performance: median('performance'), accessibility: median('accessibility'), 'best-practices': median('best-practices'), runs };
}

async function firstBrandPath() {
  const r = await fetch(`${BASE_URL}/api/v1/brands?q=examplehealth`);
  const body = await r.json();
  return `/brands/${body.results[0].id}`;
}

for (const [name, path] of [['search page', async () => '/?q=medicaid'], ['brand page', firstBrandPath]]) {
  test(`Lighthouse scores at least 95 on the ${name}`, { timeout: 600_000 }, async () => {
    const url = `${BASE_URL}${await path()}`;
    const s = await medianScores(url);
    console.log(`lighthouse ${url}: ${JSON.stringify(s.runs)}`);
    for (const k of ['performance', 'accessibility', 'best-practices']) {
      assert.ok(s[k] >= MIN, `${k} ${s[k]} < ${MIN} on ${url} (runs: ${JSON.stringify(s.runs)})`);
    }
  });
}
