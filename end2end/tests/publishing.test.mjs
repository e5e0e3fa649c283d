// A payer in Chromium: signs up, makes a payer organization, claims "Signpost Fake Payer" by the
// well-known file on its website (the fake server ./test runs serves what this test writes),
// states its developer facts with a plan and its endpoints in the form editor, previews and
// publishes an edit of the brand, and the brand page shows it with the developer facts. Every
// new page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';
import { signUp } from './signup.mjs';

const FAKE_DIR = process.env.FAKE_DIR;
const stamp = Date.now();
const payer = `payer-${stamp}@example.org`;

let context;
before(async () => {
  assert.ok(FAKE_DIR, 'FAKE_DIR names the fake server folder ./test made');
  context = await launch();
});
after(async () => {
  await context?.close();
});


test('a payer claims its brand by the well-known file, states its facts and plans, and publishes', async () => {
  const page = await context.newPage();
  const refused = cspRefusals(page);
  await signUp(page, payer);
  await page.locator('#org-name').fill(`Fake Payer Inc ${stamp}`);
  await page.locator('#org-kind').selectOption('payer');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('h1', { hasText: `Fake Payer Inc ${stamp}` }).waitFor();
  const orgPath = new URL(page.url()).pathname;

  // The brand page offers the claim; the organization page takes it.
  await page.goto('/?q=signpost+fake+payer');
  await page.locator('.result-card h3 a', { hasText: 'Signpost Fake Payer' }).click();
  await page.locator('h1', { hasText: 'Signpost Fake Payer' }).waitFor();
  const brandPath = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Claim this brand for your organization' }).click();
  await page.locator('#claims-heading').waitFor();
  assert.equal(await page.getByLabel("The brand's number or page address").inputValue(), brandPath.split('/').pop());
  await page.getByLabel('How to prove the domain').selectOption('well-known');
  await page.getByRole('button', { name: 'Claim the brand' }).click();
  await page.locator('[role=status]', { hasText: 'Place the line below' }).waitFor();
  const line = (await page.locator('pre.code-block').first().textContent()).trim();
  assert.match(line, /^signpost-verification=[0-9a-f]{64}$/);
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the organization page with a pending claim');
  writeFileSync(join(FAKE_DIR, 'verification.txt'), `${line}\n`);
  await page.getByRole('button', { name: 'Check the file now' }).click();
  await page.locator('[role=status]', { hasText: 'Found it' }).waitFor();

  // The developer facts, with a plan and its own endpoint addresses, in the form editor.
  await page.goto(`${brandPath}/developer`);
  await page.locator('h1', { hasText: 'Developer facts of Signpost Fake Payer' }).waitFor();
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the developer facts form');
  await page.getByLabel('Developer portal').fill('https://developer.fake-payer.example');
  await page.getByLabel('Developers register themselves').selectOption('yes');
  await page.getByLabel('Registration turnaround (business days)').fill('4');
  await page.getByLabel('Test patients and credentials offered').selectOption('yes');
  await page.getByLabel('New plan: name').fill('Fake Payer Medicare Advantage');
  await page.getByLabel('Line of business').last().selectOption('medicare-advantage');
  await page.locator('#facts-plan-0-patient-access').fill('https://fhir.fake-payer.example/ma/r4');
  await page.getByRole('button', { name: 'Save the developer facts' }).click();
  await page.locator('h1', { hasText: 'Signpost Fake Payer' }).waitFor();

  // An edit of the brand: checked (the preview), then published at once as its maintainer.
  await page.goto(`${brandPath}/propose`);
  await hydrated(page);
  await page.getByLabel('Also known as').fill('Fake Payer Health');
  await page.getByRole('button', { name: 'Check' }).click();
  await page.locator('#preview-heading').waitFor();
  assert.match(await page.locator('table.diff').textContent(), /Fake Payer Health/, 'the preview shows the change');
  await page.getByRole('button', { name: 'Submit the proposal' }).click();
  await page.waitForLoadState('load');
  await page.goto(orgPath);
  await page.locator('#publishing-heading').waitFor();
  const publishing = await page.locator('#publishing').textContent();
  assert.match(publishing, /Version 1 · edit/);
  assert.match(publishing, /\/publishers\/\d+-fake-payer-inc-\d+\/brands\.json/);
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the organization page with versions');

  await page.goto(brandPath);
  const maintained = await page.locator('main').textContent();
  assert.match(maintained, new RegExp(`Maintained by\\s*Fake Payer Inc ${stamp}, verified`));
  assert.match(maintained, /Fake Payer Health/, 'the published alias');
  const developers = await page.locator('section.for-developers').textContent();
  for (const text of ['https://developer.fake-payer.example', '4 business days', 'Fake Payer Medicare Advantage', 'Medicare Advantage', 'https://fhir.fake-payer.example/ma/r4']) {
    assert.ok(developers.includes(text), text);
  }
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on the brand page with its developer facts');
  assert.deepEqual(refused, [], 'nothing refused by the Content-Security-Policy');
  await page.close();
});
