// A newcomer in Chromium: signs up, reads the mail the server wrote to its outbox folder,
// confirms the address, logs in, creates an organization and invites a colleague; then the same
// forms answer with JavaScript off, and every account page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, hydrated, seriousViolations, cspRefusals } from './browser.mjs';
import { mailTo, linkIn } from './mail.mjs';

const PASSWORD = 'a long and unusual passphrase';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const stamp = Date.now();
const newcomer = `newcomer-${stamp}@example.org`;
const colleague = `colleague-${stamp}@example.org`;

test('a newcomer signs up, confirms the address from the mail, logs in, creates an organization and invites a member', async () => {
  const page = await context.newPage();
  const refused = cspRefusals(page);
  await page.goto('/');
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.locator('h1', { hasText: 'Sign up' }).waitFor();
  await hydrated(page);
  await page.getByLabel('Email address').fill(newcomer);
  await page.getByLabel('Password').fill('password1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('.error-summary', { hasText: 'too easy to guess' }).waitFor();
  assert.equal(await page.locator('#signup-password').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#signup-email').inputValue(), newcomer, 'what was typed is kept (not the password)');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('[role=status]', { hasText: `Check your inbox at ${newcomer}` }).waitFor();

  const verify = linkIn(await mailTo(newcomer, 'Confirm your address'), '/verify?token=');
  await page.goto(verify);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await page.locator('[role=status]', { hasText: 'Your address is confirmed and you are signed in' }).waitFor();
  // Log out and in again, as a returning user would.
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await page.locator('[role=status]', { hasText: 'You are logged out' }).waitFor();
  await page.getByLabel('Email address').fill(newcomer);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('h1', { hasText: 'Your account' }).waitFor();
  assert.match(await page.locator('.account-nav').textContent(), new RegExp(newcomer));

  await page.locator('#org-name').fill('Newcomer Health Apps');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('h1', { hasText: 'Newcomer Health Apps' }).waitFor();
  assert.match(await page.locator('.account-nav').textContent(), /for Newcomer Health Apps/, 'the header names the organization');
  await page.getByLabel('Their email address').fill(colleague);
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await page.locator('[role=status]', { hasText: `Invitation sent to ${colleague}` }).waitFor();
  assert.match(await page.locator('section[aria-labelledby=invite-heading]').textContent(), new RegExp(colleague));
  const invitation = linkIn(await mailTo(colleague, 'Join Newcomer Health Apps'), '/invitations?token=');
  assert.deepEqual(refused, [], 'nothing refused by the Content-Security-Policy');
  await page.close();

  // The colleague signs up, confirms and accepts.
  const other = await launch();
  try {
    const p = await other.newPage();
    await p.goto('/signup');
    await p.getByLabel('Email address').fill(colleague);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign up' }).click();
    await p.locator('[role=status]', { hasText: 'Check your inbox' }).waitFor();
    // Opened signed out, the invitation says to sign up or log in first.
    await p.goto(invitation);
    await p.locator('a', { hasText: 'Log in' }).last().waitFor();
    await p.goto(linkIn(await mailTo(colleague, 'Confirm your address'), '/verify?token='));
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Confirm my address' }).click();
    await p.locator('h1', { hasText: 'Your account' }).waitFor();
    await p.goto(invitation);
    await p.getByRole('button', { name: 'Accept the invitation' }).click();
    await p.locator('h1', { hasText: 'Newcomer Health Apps' }).waitFor();
    const members = await p.locator('section[aria-labelledby=members-heading] tbody').textContent();
    assert.match(members, new RegExp(newcomer));
    assert.match(members, new RegExp(colleague));
  } finally {
    await other.close();
  }
});

test('with JavaScript off, the log-in form answers from the server', async () => {
  const noJs = await launch({ javaScriptEnabled: false });
  try {
    const page = await noJs.newPage();
    await page.goto('/login');
    await page.getByLabel('Email address').fill(newcomer);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.error-summary', { hasText: 'do not match an account' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('h1', { hasText: 'Your account' }).waitFor();
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.locator('[role=status]', { hasText: 'You are logged out' }).waitFor();
  } finally {
    await noJs.close();
  }
});

test('every account page passes axe-core with no serious or critical violations', async () => {
  const page = await context.newPage();
  for (const path of ['/signup', '/login', '/forgot', '/verify?token=x', '/reset?token=x', '/invitations?token=x']) {
    await page.goto(path);
    await hydrated(page);
    assert.deepEqual(await seriousViolations(page), [], `axe on ${path}`);
  }
  // Signed in (the first test left this context signed out; log in again).
  await page.goto('/login');
  await page.getByLabel('Email address').fill(newcomer);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('h1', { hasText: 'Your account' }).waitFor();
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on /account');
  const org = await page.locator('a[href^="/orgs/"]').first().getAttribute('href');
  await page.goto(org);
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], `axe on ${org}`);
  // A failed form, with its error summary and marked fields.
  await page.goto('/account');
  await page.locator('#password-current_password').fill('wrong');
  await page.locator('#password-new_password').fill('x');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('.error-summary').waitFor();
  await hydrated(page);
  assert.deepEqual(await seriousViolations(page), [], 'axe on a form with errors');
  await page.close();
});
