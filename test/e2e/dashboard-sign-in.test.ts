// The dashboard's doors in Chromium: the operator's one-time link, setting a password, signing in and
// out, a wrong password, and axe-core on the sign-in and set-password pages.
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { addStaffUser } from '../../server/staff/staff-store.ts';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const PASSWORD = 'a long staff password 7';
let stack: Stack;
const contexts: BrowserContext[] = [];
let people = 0;

async function newPage(): Promise<Page> {
  const context = await stack.context();
  contexts.push(context);
  return context.newPage();
}

/** What `npm run merchant -- add-user` prints: the link. */
async function link(email: string): Promise<string> {
  const issued = await addStaffUser(stack.runtime.deps.db, {
    merchantId: stack.merchant.id,
    email,
    role: 'admin',
    publicUrl: stack.vaultUrl,
    now: new Date(),
  });
  return issued.url;
}

async function setPassword(page: Page, url: string) {
  await page.goto(url);
  // The page moved the token into its form and out of the address bar and the history.
  expect(page.url()).toBe(url.replace(/#.*/, ''));
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.waitForURL(/\/dashboard\/sign-in\?done=password_set$/);
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function graveViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

describeInBrowser('the dashboard sign-in (Chromium)', () => {
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => stack?.close());

  it('takes a person from the link to a password, signs them in, and out', async () => {
    const email = `admin${++people}@shop.example`;
    const page = await newPage();
    const url = await link(email);
    await setPassword(page, url);
    expect(await page.getByRole('status').textContent()).toBe('Your password is set. Sign in with it.');
    await signIn(page, email, PASSWORD);
    await page.waitForURL(/\/dashboard$/);
    await expect.poll(() => page.locator('header.top').textContent()).toContain(`${SHOP_NAME}Test mode${email} (admin)`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/dashboard\/sign-in\?done=signed_out$/);
    await page.goto(`${stack.vaultUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    // The link was spent.
    await page.goto(url);
    await page.getByLabel('New password').fill('yet another password 8');
    await page.getByRole('button', { name: 'Set password' }).click();
    expect(await page.getByRole('heading').textContent()).toBe('This link no longer works');
  });

  it('says so when the password is wrong', async () => {
    const email = `admin${++people}@shop.example`;
    const page = await newPage();
    await setPassword(page, await link(email));
    await signIn(page, email, 'not the password at all');
    expect(await page.getByRole('alert').textContent()).toBe('The email or the password is wrong.');
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  });

  it('has no serious or critical accessibility violation on the set-password and sign-in pages', async () => {
    const page = await newPage();
    const email = `admin${++people}@shop.example`;
    await page.goto(await link(email));
    expect(await graveViolations(page)).toEqual([]);
    // Refused by the vault (the browser checks only the length): the page with its error.
    await page.getByLabel('New password').fill(email);
    await page.getByRole('button', { name: 'Set password' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('The password must not be your email address.');
    expect(await graveViolations(page)).toEqual([]);
    await page.goto(`${stack.vaultUrl}/dashboard/sign-in`);
    expect(await graveViolations(page)).toEqual([]);
    await signIn(page, 'nobody@shop.example', 'not the password at all');
    await page.getByRole('alert').waitFor();
    expect(await graveViolations(page)).toEqual([]);
  });
});
