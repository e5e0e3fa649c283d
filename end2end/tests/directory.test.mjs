// The directory as an app developer uses it: search, filter, open a brand, copy an endpoint;
// the same search with JavaScript off; the Validate page; and an accessibility check of each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('search updates as you type, tolerates a typo, and the URL follows', async () => {
  const page = await context.newPage();
  const refused = cspRefusals(page);
  const response = await page.goto('/');
  // The islands hydrate under a policy that allows no inline script but the nonce'd loader.
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'nonce-[0-9a-f]+' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;.*script|script-src[^;]*unsafe-inline/);
  await hydrated(page);
  await page.locator('#q').pressSequentially('alabma medicad', { delay: 30 });
  await page.waitForURL(/\?q=alabma\+medicad/);
  const first = page.locator('.result-card h3 a').first();
  await assert.doesNotReject(first.waitFor());
  assert.equal(await first.textContent(), 'Alabama Medicaid');
  // The matched words are marked, and the typos get a correction that agrees with the result.
  assert.deepEqual(await first.locator('mark').allTextContents(), ['Alabama', 'Medicaid']);
  assert.equal(await page.locator('.did-you-mean a').textContent(), 'alabama medicaid');
  // The page around the results follows too, and the typing goes on undisturbed.
  assert.match(await page.title(), /^alabma medicad: search/);
  assert.match(await page.locator('#search-status').textContent(), /^\d+ brands?$/);
  assert.equal(await page.locator('#q').inputValue(), 'alabma medicad');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'q');
  assert.deepEqual(refused, [], 'the Content-Security-Policy refused something the page needs');
  await page.close();
});

test('a facet filters the results and shows in the URL', async () => {
  const page = await context.newPage();
  await page.goto('/?q=medicaid');
  await hydrated(page);
  const before = await page.locator('.results-count').textContent();
  await page.locator('.facet a', { hasText: 'Texas' }).click();
  await page.waitForURL(/state=TX/);
  await page.waitForFunction((b) => document.querySelector('.results-count')?.textContent !== b, before);
  const names = await page.locator('.result-card h3 a').allTextContents();
  assert.deepEqual(names, ['Texas Medicaid']);
  assert.equal(await page.locator('.facet a.active').count(), 1);
  await page.close();
});

test('open a brand and copy one of its endpoints', async () => {
  const page = await context.newPage();
  await page.goto('/?q=alabama');
  await hydrated(page);
  await page.locator('.result-card h3 a', { hasText: 'Alabama Medicaid' }).click();
  await page.waitForURL(/\/brands\/\d+$/);
  await page.locator('h1', { hasText: 'Alabama Medicaid' }).waitFor();
  const address = (await page.locator('.endpoint-address').first().textContent()).trim();
  assert.match(address, /^https:\/\//);
  await hydrated(page);
  await page.locator('.copy-button').first().click();
  await page.locator('.copy-button', { hasText: 'Copied' }).first().waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), address);
  await page.close();
});

test('subscribing to a brand\'s alerts answers in place', async () => {
  const page = await context.newPage();
  await page.goto('/?q=alabama');
  await page.locator('.result-card h3 a', { hasText: 'Alabama Medicaid' }).click();
  await page.locator('h1', { hasText: 'Alabama Medicaid' }).waitFor();
  await hydrated(page);
  await page.locator('#alert-email').fill('not-an-address');
  await page.locator('#alert-email').evaluate((el) => { el.type = 'text'; }); // past the browser's own check
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.locator('[role=alert]', { hasText: /address/i }).waitFor();
  await page.locator('#alert-email').fill('developer@example.org');
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.locator('[role=status]', { hasText: 'Check your inbox' }).waitFor();
  assert.equal(new URL(page.url()).pathname.startsWith('/brands/'), true, 'the page did not navigate away');
  await page.close();
});

test('the Validate page reports findings with their location', async () => {
  const page = await context.newPage();
  await page.goto('/validate');
  await hydrated(page);
  const bad = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [
    { fullUrl: 'https://x.org/Organization/o1', resource: { resourceType: 'Organization', id: 'o1' } }] });
  await page.locator('#bundle-text').fill(bad);
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('.report h2', { hasText: 'This bundle has errors.' }).waitFor();
  const rows = await page.locator('.findings tbody tr').allTextContents();
  assert.ok(rows.some((r) => r.includes('/type') && r.includes('collection')), rows.join('\n'));
  assert.ok(rows.some((r) => r.includes('/entry/0/resource/name')), rows.join('\n'));
  await page.close();
});

// ./test has the poller check a fake FHIR server on loopback twice and names its page here.
const CHECKED_ENDPOINT = process.env.CHECKED_ENDPOINT;

test('a checked endpoint\'s page shows what the poller found', async () => {
  assert.ok(CHECKED_ENDPOINT, 'CHECKED_ENDPOINT must name the page of an endpoint the poller has checked (./test sets it)');
  const page = await context.newPage();
  await page.goto(CHECKED_ENDPOINT);
  await hydrated(page);
  await page.locator('.endpoint-header .badge', { hasText: 'Up' }).waitFor();
  assert.equal(await page.locator('table.checks tbody tr').count(), 2);
  assert.equal(await page.locator('svg.chart[role=img]').count(), 1, 'a latency chart from two checks');
  assert.equal(await page.locator('svg.strip[role=img]').count(), 1);
  const report = await page.locator('section[aria-labelledby=report-heading]').textContent();
  assert.match(report, /TLS 1\.[23] · certificate: \d+ days left/);
  assert.match(report, /CARIN Blue Button scorecard: \d+ of \d+/);
  assert.deepEqual(await seriousViolations(page), [], `axe on ${CHECKED_ENDPOINT}`);
  await page.close();
});

test('every page passes axe-core with no serious or critical violations', async () => {
  const page = await context.newPage();
  await page.goto('/?q=health');
  await hydrated(page);
  const brandHref = await page.locator('.result-card h3 a').first().getAttribute('href');
  await page.goto('/?q=examplehealth');
  await hydrated(page);
  await page.locator('.result-card h3 a').first().click();
  await hydrated(page);
  const endpointHref = await page.locator('a[href^="/endpoints/"]').first().getAttribute('href');
  for (const path of ['/', '/?q=medicaid&category=ins', brandHref, endpointHref, '/check', '/validate', '/no-such-page']) {
    await page.goto(path);
    await hydrated(page);
    assert.deepEqual(await seriousViolations(page), [], `axe on ${path}`);
  }
  await page.close();
});

test('with JavaScript off, search works from the server-rendered page', async () => {
  const noJs = await launch({ javaScriptEnabled: false });
  try {
    const page = await noJs.newPage();
    await page.goto('/?q=alabama+medicaid');
    assert.equal(await page.locator('.result-card h3 a').first().textContent(), 'Alabama Medicaid');
    await page.locator('#q').fill('texas medicaid');
    await Promise.all([page.waitForURL(/q=texas\+medicaid/), page.locator('#q').press('Enter')]);
    assert.equal(await page.locator('.result-card h3 a').first().textContent(), 'Texas Medicaid');
    await page.locator('.facet a', { hasText: 'Health plan' }).click();
    await page.waitForURL(/category=ins/);
    await page.locator('.result-card h3 a', { hasText: 'Texas Medicaid' }).click();
    await page.locator('h1', { hasText: 'Texas Medicaid' }).waitFor();
    assert.ok(await page.locator('.endpoint-address').count() > 0);
    // An endpoint address pasted into the box finds whose it is.
    const address = (await page.locator('.endpoint-address').first().textContent()).trim();
    await page.goto('/?q=' + encodeURIComponent(address + '/metadata'));
    assert.equal(await page.locator('.result-card h3 a').first().textContent(), 'Texas Medicaid');
    assert.match(await page.locator('.address-match').textContent(), /^Brands using the endpoint /);
    // A query no brand matches in full says which words it let go.
    await page.goto('/?q=texas+medicaid+zebra');
    assert.match(await page.locator('.relaxed').textContent(), /showing brands that match “texas medicaid”/);
  } finally {
    await noJs.close();
  }
});
