// Signing up through the pages, as a newcomer does: the form, the mailed link, the password.
import { mailTo, linkIn } from './mail.mjs';

export const PASSWORD = 'a long and unusual passphrase';

export async function signUp(page, email) {
  await page.goto('/signup');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('[role=status]', { hasText: 'Check your inbox' }).waitFor();
  await page.goto(linkIn(await mailTo(email, 'Confirm your address'), '/verify?token='));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await page.locator('h1', { hasText: 'Your account' }).waitFor();
}

// Logging in through the page, as a returning user does.
export async function logIn(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('h1', { hasText: 'Your account' }).waitFor();
}
