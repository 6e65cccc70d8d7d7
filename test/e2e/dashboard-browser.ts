// Signed-in dashboard pages in Chromium for the dashboard's browser tests: a staff user of the
// stack's merchant (or another), with a password set through their one-time link and signed in.
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { addStaffUser } from '../../server/staff/staff-store.ts';
import type { Stack } from './harness.ts';

export const STAFF_PASSWORD = 'a long staff password 7';
let people = 0;

export interface StaffPage {
  page: Page;
  context: BrowserContext;
  email: string;
}

/** A new browser context signed in as a new staff user; `viewport` defaults to 1440×900. */
export async function staffPage(
  stack: Stack,
  o: { role?: 'admin' | 'viewer'; merchantId?: string; viewport?: { width: number; height: number } } = {},
): Promise<StaffPage> {
  const email = `staff${++people}.${Date.now().toString(36)}@shop.example`;
  const issued = await addStaffUser(stack.runtime.deps.db, {
    merchantId: o.merchantId ?? stack.merchant.id,
    email,
    role: o.role ?? 'admin',
    publicUrl: stack.vaultUrl,
    now: new Date(),
  });
  const context = await stack.context();
  const page = await context.newPage();
  await page.setViewportSize(o.viewport ?? { width: 1440, height: 900 });
  await page.goto(issued.url);
  await page.getByLabel('New password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.waitForURL(/\/dashboard\/sign-in\?done=password_set$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
  return { page, context, email };
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function graveViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Whether anything on the page scrolls sideways (at 375 px a page must not). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
