// The demo shop's own pages checked by axe-core in Chromium, on a phone (375 px) and a laptop (1280
// px): no serious or critical violation on the checkout, the cards page with saved cards and
// agreements, and the back office. The fields' iframe is the vault's and has a suite of its own.
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CARDS } from '../helpers/test-cards.ts';
import { agreeToAutopay, createInvoice, joinCoffeeClub, saveCard, signInAs, vaultApi } from './demo-fixtures.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const FIELDS = 'iframe[title="Secure card payment"]';
/** Bea has the coffee club, automatic payments, two cards and a paid invoice; Carl a card and no agreement. */
const BEA = 'axe-bea';
const CARL = 'axe-carl';

const PAGES: { name: string; path: string; fields?: boolean }[] = [
  { name: 'the checkout', path: '/checkout?product=espresso', fields: true },
  { name: 'My cards, with saved cards and agreements', path: '/cards' },
  { name: 'the back office, for a customer with automatic payments', path: '/admin' },
  { name: 'the back office, for a customer without an agreement', path: `/admin?customer=${CARL}` },
];

let stack: Stack;
const contexts: BrowserContext[] = [];

describeInBrowser("the demo shop's accessibility (axe-core in Chromium)", () => {
  beforeAll(async () => {
    stack = await startStack();
    await joinCoffeeClub(stack, BEA, CARDS.visa);
    await agreeToAutopay(stack, BEA, CARDS.visa);
    await saveCard(stack, BEA, CARDS.mastercard);
    await createInvoice(stack, BEA, 2500, 'Beans for next month');
    await vaultApi(stack, 'POST', '/v1/scheduler/run', {});
    await saveCard(stack, CARL, CARDS.visa);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const width of [375, 1280]) {
    for (const { name, path, fields } of PAGES) {
      it(`${name} at ${width} px has no serious or critical violation`, async () => {
        const page = await open(width, path);
        if (fields) await page.frameLocator(FIELDS).locator('input').first().waitFor();
        const results = await new AxeBuilder({ page }).exclude('iframe').analyze();
        const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(grave.map(describeViolation), 'serious or critical accessibility violations').toEqual([]);
        // The page was judged, not skipped: its main content is among what axe looked at.
        expect(results.passes.length).toBeGreaterThan(10);
      });
    }
  }

  it("has focus rings and controls' edges at 3:1 on white, which axe leaves alone (WCAG 1.4.11)", async () => {
    const page = await open(1280, '/admin');
    const input = page.locator('#admin-customer');
    await input.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const colors = await input.evaluate((el) => {
      const style = getComputedStyle(el);
      return { ring: style.outlineColor, ringStyle: style.outlineStyle, border: style.borderTopColor };
    });
    expect(colors.ringStyle).toBe('solid');
    expect(contrast(colors.ring, 'rgb(255, 255, 255)'), `the focus ring ${colors.ring}`).toBeGreaterThanOrEqual(3);
    expect(contrast(colors.border, 'rgb(255, 255, 255)'), `the input's border ${colors.border}`).toBeGreaterThanOrEqual(3);
    const button = await page.getByRole('button', { name: 'Show' }).evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(contrast(button, 'rgb(255, 255, 255)'), `a secondary button's border ${button}`).toBeGreaterThanOrEqual(3);
  });
});

async function open(width: number, path: string): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  await signInAs(stack, context, BEA);
  const page = await context.newPage();
  await page.goto(`${stack.shopUrl}${path}`);
  return page;
}

function describeViolation(v: Result): string {
  return `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' >> ')).join(', ')}`;
}

/** WCAG's contrast ratio of two computed `rgb()` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = rgb
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map((c) => {
        const s = Number(c) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
