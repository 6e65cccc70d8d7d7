// The API reference at /docs, as a developer opens it: Redoc's page of the vault's own OpenAPI
// document, rendered in Chromium under the page's policy, with nothing loaded from another origin.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/ensure-built.ts';
import { serveTestVault, type ServedVault } from '../helpers/served-vault.ts';
import type { TestVault } from '../helpers/test-vault.ts';
import { CHROMIUM, describeInBrowser } from './harness.ts';

let served: ServedVault;
let v: TestVault;
let browser: Browser;
let origin: string;

describeInBrowser('the API reference at /docs', () => {
  beforeAll(async () => {
    ensureBuilt();
    served = await serveTestVault('sqlite');
    ({ v, url: origin } = served);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("shows the merchant's operations by their summaries, runs only its own scripts, and loads nothing from another origin", async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const scriptErrors: string[] = [];
    page.on('response', (r) => !r.url().startsWith(origin) && elsewhere.push(r.url()));
    // What the policy stopped before it left: nothing (Redoc's logo from its CDN is replaced at build).
    const blocked: string[] = [];
    page.on('requestfailed', (r) => blocked.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('pageerror', (err) => scriptErrors.push(err.message));
    page.on('console', (m) => m.type() === 'error' && scriptErrors.push(m.text()));
    const answer = await page.goto(`${origin}/docs`);
    expect(answer?.status()).toBe(200);
    const policy = answer?.headers()['content-security-policy'] ?? '';
    expect(policy).toMatch(/^default-src 'none'; script-src 'sha256-/);
    expect(policy).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https?:)/);
    expect(answer?.headers()['access-control-allow-origin']).toBeUndefined();
    const doc = await (await v.runtime.app.request('/openapi.json')).json();
    // The fields' own endpoints sit in a group of their own, folded: the merchant's operations show.
    const summaries = Object.entries<any>(doc.paths)
      .filter(([p]) => !p.startsWith('/frame/'))
      .flatMap(([, item]) => Object.values<any>(item).map((op) => op.summary as string));
    summaries.push('Fields (iframe only)');
    // Redoc's script renders the sidebar after the page's first paint: every operation by its summary.
    const missing = async () => {
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, the text as it shows
      const text = await page.locator('body').innerText();
      return summaries.filter((summary) => !text.includes(summary));
    };
    await expect.poll(missing, { timeout: 15_000 }).toEqual([]);
    expect(scriptErrors).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(blocked).toEqual([]);
    expect(await page.title()).toBe('Card vault API reference');
    await page.close();
  });
});
