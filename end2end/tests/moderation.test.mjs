// The crowdsourced directory in Chromium: a newcomer signs up and proposes an endpoint for an
// existing brand; an admin, in a second browser, approves it from the diff; search finds it.
// Then every new page passes axe, signed out, as the proposer and as the admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';
import { mailTo } from './mail.mjs';
import { signUp } from './signup.mjs';

const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const stamp = Date.now();
const proposer = `proposer-${stamp}@example.org`;
// A private address: the proposal's one public check is refused without any traffic leaving the
// machine (the server's fetch client refuses private targets).
const address = `https://10.0.0.1/e2e-${stamp}/r4`;

let context;
let admin;
let proposalPath;
let brandPath;
before(async () => {
  assert.ok(ADMIN_EMAIL && ADMIN_PASSWORD, 'ADMIN_EMAIL and ADMIN_PASSWORD name the admin ./test made');
  context = await launch();
  admin = await launch();
});
after(async () => {
  await context?.close();
  await admin?.close();
});


test('a newcomer proposes an endpoint, an admin approves it from the diff, and search finds it', async () => {
  const page = await context.newPage();
  const refused = cspRefusals(page);
  await signUp(page, proposer);
  await page.goto('/?q=alabama');
  await page.locator('.result-card h3 a', { hasText: 'Alabama Medicaid' }).click();
  await page.locator('h1', { hasText: 'Alabama Medicaid' }).waitFor();
  brandPath = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Propose a change' }).click();
  await page.locator('h1', { hasText: 'Propose a change to Alabama Medicaid' }).waitFor();
  await hydrated(page);
  await page.getByLabel('New endpoint: FHIR base address').fill(address);
  await page.getByLabel('Why this change (for the moderator)').fill("Listed on the plan's developer page.");
  await page.getByRole('button', { name: 'Check' }).click();
  await page.locator('#preview-heading').waitFor();
  assert.match(await page.locator('table.diff').textContent(), new RegExp(`e2e-${stamp}`), 'the change, before submitting');
  await page.getByRole('button', { name: 'Submit the proposal' }).click();
  await page.locator('h1', { hasText: /Proposal #\d+: New endpoint/ }).waitFor();
  proposalPath = new URL(page.url()).pathname;
  assert.match(await page.locator('.lede').textContent(), /Pending review/);
  assert.match(await mailTo(proposer, 'received your proposal'), new RegExp(proposalPath));
  // While it is open, its proposer may edit it: the form, filled with the proposal.
  await page.goto(`${proposalPath}/edit`);
  await page.locator('h1', { hasText: /Edit proposal #\d+/ }).waitFor();
  assert.equal(await page.getByLabel('New endpoint: FHIR base address').first().inputValue(), address);
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the edit form');
  assert.deepEqual(refused, [], 'nothing refused by the Content-Security-Policy');

  const a = await admin.newPage();
  await a.goto('/login');
  await a.getByLabel('Email address').fill(ADMIN_EMAIL);
  await a.getByLabel('Password').fill(ADMIN_PASSWORD);
  await a.getByRole('button', { name: 'Log in' }).click();
  await a.locator('h1', { hasText: 'Your account' }).waitFor();
  await a.getByRole('link', { name: 'Moderation' }).click();
  await a.locator('h1', { hasText: 'Moderation queue' }).waitFor();
  await a.locator(`a[href="${proposalPath}"]`).click();
  await a.locator('table.diff', { hasText: `e2e-${stamp}` }).waitFor();
  await hydrated(a);
  await a.getByRole('button', { name: 'Approve', exact: true }).click();
  await a.locator('.lede .tag', { hasText: 'Approved' }).waitFor();
  assert.match(await mailTo(proposer, 'was approved'), /now in the directory/);

  await page.goto('/?q=' + encodeURIComponent(address));
  assert.equal(await page.locator('.result-card h3 a').first().textContent(), 'Alabama Medicaid');
  await page.goto(brandPath);
  assert.ok(await page.locator('.endpoint-address', { hasText: `e2e-${stamp}` }).count() > 0, 'on the brand page');
  await page.getByRole('link', { name: 'History of this brand' }).click();
  await page.locator('.history', { hasText: 'approved proposal' }).waitFor();
  await page.close();
  await a.close();
});

test('every new page passes axe-core with no serious or critical violations', async () => {
  assert.ok(proposalPath && brandPath, 'the first test made a proposal');
  const visitor = await launch();
  try {
    const v = await visitor.newPage();
    for (const path of [`${brandPath}/report`, `${brandPath}/history`, '/needs-attention']) {
      await v.goto(path);
      await hydrated(v);
      assert.deepEqual(await seriousViolations(v), [], `axe on ${path} (signed out)`);
    }
    // A report with a mistake: the form's errors, then sent.
    await v.goto(`${brandPath}/report`);
    await v.getByLabel('What you saw').fill('The endpoint times out.');
    await v.getByRole('button', { name: 'Send the report' }).click();
    await v.locator('.error-summary').waitFor();
    await hydrated(v);
    assert.deepEqual(await seriousViolations(v), [], 'axe on the report form with errors');
    await v.getByLabel('What is wrong').selectOption('broken');
    await v.getByLabel('What you saw').fill('The endpoint times out.');
    await v.getByRole('button', { name: 'Send the report' }).click();
    await v.locator('[role=status]', { hasText: 'Thank you: report #' }).waitFor();
  } finally {
    await visitor.close();
  }
  const page = await context.newPage();
  for (const path of ['/propose', `${brandPath}/propose`, '/proposals', proposalPath]) {
    await page.goto(path);
    await hydrated(page);
    assert.deepEqual(await seriousViolations(page), [], `axe on ${path} (proposer)`);
  }
  // A value the browser lets through but the server refuses: the form's errors.
  await page.goto('/propose');
  await page.getByLabel('Name, as patients know it').fill('E2E Health Plan');
  await page.getByLabel('Website').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Submit the proposal' }).click();
  await page.locator('.error-summary').waitFor();
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the proposal form with errors');
  await page.close();
  const a = await admin.newPage();
  for (const path of ['/moderation', `${proposalPath}/review`, proposalPath]) {
    await a.goto(path);
    await hydrated(a);
    assert.deepEqual(await seriousViolations(a), [], `axe on ${path} (admin)`);
  }
  await a.close();
});
