// Registering an app through the pages, as a developer does: a developer organization, then the
// app's RFC 7591 form. Returns the app page's path.
import assert from 'node:assert/strict';
import { hydrated, seriousViolations } from './browser.mjs';

export async function registerApp(page, { orgName, appName, contact, checkAxe = false }) {
  await page.locator('#org-name').fill(orgName);
  await page.locator('#org-kind').selectOption('developer');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('h1', { hasText: orgName }).waitFor();
  await page.getByRole('link', { name: 'Register an app' }).click();
  await page.locator('h1', { hasText: 'Register an app' }).waitFor();
  await hydrated(page);
  if (checkAxe) assert.deepEqual(await seriousViolations(page), [], 'axe on the new-app form');
  await page.getByLabel('Name (client_name)').fill(appName);
  await page.getByLabel('What it does, for members').fill('Keeps your claims in one place.');
  await page.getByLabel('Web', { exact: true }).check();
  await page.getByLabel('FHIR versions it reads').fill('4.0.1');
  await page.getByLabel('Contacts (one address a line)').fill(contact);
  await page.getByLabel('Privacy policy (policy_uri)').fill('https://wallet.example.com/privacy');
  await page.getByLabel('Redirect URIs (one a line)').fill('https://wallet.example.com/callback');
  await page.getByLabel('Client authentication (token_endpoint_auth_method)').selectOption('none');
  await page.getByLabel('authorization_code').check();
  await page.getByLabel('Scopes, one a line, each followed by why the app needs it')
    .fill('patient/ExplanationOfBenefit.rs to show the member their claims');
  await page.getByRole('button', { name: 'Register the app' }).click();
  await page.locator('h1', { hasText: appName }).waitFor();
  return new URL(page.url()).pathname;
}
