// Registration requests in Chromium: two payers' members each make a payer organization, an
// admin grants them Aetna and Cigna; a developer registers an app and asks both for production
// access in one go; Aetna's member asks for information from the queue, the developer answers,
// Aetna approves with a client id; mails arrive for each step; Aetna's public turnaround page
// goes from one open request to one decided; both dashboards and the payer's settings. Every new
// page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';
import { mailTo } from './mail.mjs';
import { logIn, signUp } from './signup.mjs';
import { registerApp } from './apps.mjs';

const BASE_URL = process.env.BASE_URL;
const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
const stamp = Date.now();
const developer = `dev-${stamp}@example.org`;
const aetnaMember = `pat-${stamp}@aetna.example`;
const cignaMember = `pam-${stamp}@cigna.example`;
const appName = `Claims ${stamp}`;

const browsers = {};
before(async () => {
  assert.ok(ADMIN_EMAIL && ADMIN_PASSWORD && BASE_URL, './test names the admin and the server');
  for (const who of ['developer', 'aetna', 'cigna', 'admin', 'visitor']) browsers[who] = await launch();
});
after(async () => Promise.all(Object.values(browsers).map((b) => b.close())));

async function brandId(name) {
  const r = await fetch(`${BASE_URL}/api/v1/brands?q=${encodeURIComponent(name)}`);
  const found = (await r.json()).results.find((b) => b.name === name);
  assert.ok(found, `the demo data has ${name}`);
  return found.id;
}

async function turnaround(id) {
  const r = await fetch(`${BASE_URL}/api/v1/turnaround/${id}`);
  assert.equal(r.status, 200);
  return (await r.json()).payer.all_time;
}

async function payerOrganization(page, email, name) {
  await signUp(page, email);
  await page.locator('#org-name').fill(name);
  await page.locator('#org-kind').selectOption('payer');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('h1', { hasText: name }).waitFor();
  return Number(new URL(page.url()).pathname.split('/')[2]);
}

test('a developer asks two payers at once, one asks for information, approves, and its turnaround shows it', async () => {
  const [aetna, cigna] = [await brandId('Aetna'), await brandId('Cigna')];
  const pa = await browsers.aetna.newPage();
  const pc = await browsers.cigna.newPage();
  const orgA = await payerOrganization(pa, aetnaMember, `Aetna Interop ${stamp}`);
  const orgC = await payerOrganization(pc, cignaMember, `Cigna Interop ${stamp}`);
  const admin = await browsers.admin.newPage();
  await logIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  for (const [org, brand, name] of [[orgA, aetna, 'Aetna'], [orgC, cigna, 'Cigna']]) {
    await admin.goto('/admin/claims');
    await admin.getByLabel("Payer organization's number").fill(String(org));
    await admin.getByLabel("Brand's number or page address").fill(String(brand));
    await admin.getByRole('button', { name: 'Grant' }).click();
    await admin.locator('td', { hasText: `${name} Interop ${stamp} (#${org})` }).waitFor();
  }
  const before = await turnaround(aetna);

  const dev = await browsers.developer.newPage();
  const refused = cspRefusals(dev);
  await signUp(dev, developer);
  const appPage = await registerApp(dev, { orgName: `Claims Inc ${stamp}`, appName, contact: developer });
  await dev.getByRole('link', { name: 'Request access from payers' }).click();
  await dev.locator('h1', { hasText: `Requests: ${appName}` }).waitFor();
  await hydrated(dev);
  assert.deepEqual(await seriousViolations(dev), [], 'axe on the requests page');
  await dev.getByLabel('Find payers').fill('Aetna, Cigna');
  await dev.getByRole('button', { name: 'Search' }).click();
  await dev.locator(`#pick-${aetna}`).waitFor();
  await hydrated(dev);
  assert.deepEqual(await seriousViolations(dev), [], 'axe on the payer picker');
  // Only the two payers that work a queue on Signpost.
  for (const box of await dev.locator('input[name=brand]:not([disabled])').all()) await box.uncheck();
  await dev.locator(`#pick-${aetna}`).check();
  await dev.locator(`#pick-${cigna}`).check();
  await dev.getByRole('button', { name: /Request from the selected payers/ }).click();
  await dev.locator('[role=status]', { hasText: 'Requested from 2 payers' }).waitFor();
  assert.match(await mailTo(aetnaMember, 'asks Aetna for production access'), /business days/);
  assert.match(await mailTo(cignaMember, 'asks Cigna for production access'), /business days/);
  const opened = await turnaround(aetna);
  assert.equal(opened.open, before.open + 1, 'the open request counts on the public page');

  // Aetna's member works the queue: a question, then (after the answer) the approval.
  await pa.goto(`/orgs/${orgA}/queue`);
  await pa.locator('h1', { hasText: 'Registration queue' }).waitFor();
  await hydrated(pa);
  assert.deepEqual(await seriousViolations(pa), [], 'axe on the queue');
  await pa.getByRole('link', { name: /^#\d+$/ }).first().click();
  await pa.locator('h1', { hasText: `${appName} at Aetna` }).waitFor();
  await hydrated(pa);
  assert.deepEqual(await seriousViolations(pa), [], "axe on the payer's request page");
  const requestPath = new URL(pa.url()).pathname;
  await pa.getByLabel('Ask the developer').fill('Which redirect URI is for production?');
  await pa.getByRole('button', { name: 'Ask for information' }).click();
  await pa.locator('[role=status]', { hasText: 'now waiting on the developer' }).waitFor();
  assert.match(await mailTo(developer, `${appName} at Aetna: waiting on the developer`), /Which redirect URI/);

  await dev.goto(requestPath);
  await dev.locator('h1', { hasText: `${appName} at Aetna` }).waitFor();
  await hydrated(dev);
  assert.deepEqual(await seriousViolations(dev), [], "axe on the developer's request page");
  await dev.getByLabel('Your answer').fill('https://wallet.example.com/callback');
  await dev.getByRole('button', { name: 'Send the answer' }).click();
  await dev.locator('[role=status]', { hasText: 'now in review' }).waitFor();
  assert.match(await mailTo(aetnaMember, `${appName} at Aetna: in review`), /wallet\.example\.com\/callback/);

  await pa.goto(requestPath);
  await pa.getByLabel('Client id issued').fill(`aetna-${stamp}`);
  await pa.getByRole('button', { name: 'Approve', exact: true }).click();
  await pa.locator('[role=status]', { hasText: 'now approved' }).waitFor();
  await mailTo(developer, `${appName} at Aetna: approved`);
  assert.deepEqual(refused, [], 'nothing refused by the Content-Security-Policy');
  await dev.goto(`${appPage}/requests`);
  assert.match(await dev.locator('main').textContent(), /approved/);

  // The dashboards, and the payer's settings page.
  await dev.goto('/dashboard');
  await dev.locator('h2', { hasText: `Claims Inc ${stamp}: apps and requests` }).waitFor();
  await hydrated(dev);
  assert.deepEqual(await seriousViolations(dev), [], "axe on the developer's dashboard");
  assert.match(await dev.locator('main').textContent(), /approved: use the client id issued/);
  await pa.goto('/dashboard');
  await pa.locator('h2', { hasText: `Aetna Interop ${stamp}: registration queue` }).waitFor();
  await hydrated(pa);
  assert.deepEqual(await seriousViolations(pa), [], "axe on the payer's dashboard");
  await pa.goto(`/orgs/${orgA}/registration`);
  await pa.locator('h1', { hasText: 'Registration settings' }).waitFor();
  await hydrated(pa);
  assert.deepEqual(await seriousViolations(pa), [], 'axe on the registration settings');

  // The public record: one more decided, one fewer open.
  const after = await turnaround(aetna);
  assert.equal(after.decided, before.decided + 1);
  assert.equal(after.open, before.open);
  const v = await browsers.visitor.newPage();
  await v.goto(`/turnaround/${aetna}`);
  await v.locator('h1', { hasText: 'Registration turnaround: Aetna' }).waitFor();
  await hydrated(v);
  assert.deepEqual(await seriousViolations(v), [], 'axe on the payer turnaround page');
  assert.match(await v.locator('main').textContent(), new RegExp(`${after.decided} decided over`));
  await v.goto('/turnaround?sort=decided&window=all');
  await v.getByRole('link', { name: 'Aetna', exact: true }).waitFor();
  await hydrated(v);
  assert.deepEqual(await seriousViolations(v), [], 'axe on the turnaround overview');
  await v.goto(`/brands/${aetna}`);
  await v.locator('h3', { hasText: 'Turnaround on Signpost' }).waitFor();
});
