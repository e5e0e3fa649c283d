// Apps and attestations in Chromium: a developer signs up, makes a developer organization,
// registers an app and fills its questionnaire; an admin, in a second browser, approves it; the
// app appears in the public list with its highlighted answers. Every new page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';
import { mailTo } from './mail.mjs';
import { logIn, signUp } from './signup.mjs';
import { registerApp } from './apps.mjs';

const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const stamp = Date.now();
const developer = `developer-${stamp}@example.org`;
const appName = `Wallet ${stamp}`;

// The developer's browser and the admin's, each its own context (its own session).
const browsers = {};
before(async () => {
  assert.ok(ADMIN_EMAIL && ADMIN_PASSWORD, 'ADMIN_EMAIL and ADMIN_PASSWORD name the admin ./test made');
  [browsers.developer, browsers.admin] = [await launch(), await launch()];
});
after(async () => Promise.all(Object.values(browsers).map((b) => b.close())));

test('a developer registers and attests an app, an admin approves it, and the public list shows it', async () => {
  const page = await browsers.developer.newPage();
  const refused = cspRefusals(page);
  await signUp(page, developer);
  await registerApp(page, { orgName: `Wallet Inc ${stamp}`, appName, contact: developer, checkAxe: true });
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the app page');

  await page.getByRole('link', { name: "The app's attestation" }).click();
  await page.locator('h1', { hasText: `Attestation: ${appName}` }).waitFor();
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the questionnaire');
  // Submitting with nothing answered names what is missing.
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.locator('.field-error', { hasText: 'answer yes, no or not applicable' }).first().waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe on the questionnaire with errors');
  for (const radio of await page.locator('input[type=radio][value=yes]').all()) await radio.check();
  await page.locator('#answer-sells-data-no').check();
  for (const url of await page.locator('input[name^="evidence_url-"]').all()) {
    await url.fill('https://wallet.example.com/privacy');
  }
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.locator('[role=status]', { hasText: 'Submitted' }).waitFor();
  assert.deepEqual(refused, [], 'nothing refused by the Content-Security-Policy');

  const a = await browsers.admin.newPage();
  await logIn(a, ADMIN_EMAIL, ADMIN_PASSWORD);
  await a.goto('/admin/attestations');
  await a.locator('h1', { hasText: 'Attestations to review' }).waitFor();
  await hydrated(a);
  assert.deepEqual(await seriousViolations(a), [], 'axe on the review queue');
  await a.getByRole('link', { name: appName }).click();
  await a.locator('h1', { hasText: `Review: ${appName}` }).waitFor();
  await hydrated(a);
  assert.deepEqual(await seriousViolations(a), [], 'axe on the review page');
  await a.getByRole('button', { name: 'Approve', exact: true }).click();
  await a.locator('[role=status]', { hasText: 'Decided: the attestation is approved' }).waitFor();
  assert.match(await mailTo(developer, 'is approved'), /public list/);
  await a.close();

  const visitor = await launch();
  try {
    const v = await visitor.newPage();
    await v.goto('/apps?q=' + encodeURIComponent(appName));
    await v.getByRole('link', { name: appName }).waitFor();
    await hydrated(v);
    assert.deepEqual(await seriousViolations(v), [], 'axe on the public list');
    assert.match(await v.locator('.app-card').first().textContent(), /Reads other device data/);
    await v.getByRole('link', { name: appName }).click();
    await v.locator('h1', { hasText: appName }).waitFor();
    await hydrated(v);
    assert.deepEqual(await seriousViolations(v), [], 'axe on the app page members read');
    assert.match(await v.locator('.statement.highlighted').first().textContent(), /Reads other data on the user's device/);
    assert.match(await v.locator('main').textContent(), /Does not sell the user's data/);
  } finally {
    await visitor.close();
  }
  await page.close();
});
