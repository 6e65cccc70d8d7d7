// The fields in every language, as a shopper's browser shows them: the texts of the page's locale,
// Arabic laid out right to left with the card digits still in their own order, and a payment taken
// in Arabic and in Japanese.
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROWS } from '../../iframe/locales.ts';
import { LOCALES, type Locale } from '../../protocol/messages.ts';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { describeInBrowser, freePort, startStack, type Stack } from './harness.ts';

let stack: Stack;
let shop: http.Server | undefined;
let origin: string;
let keys: { publishable: string; secret: string };

const FRAME = 'iframe[title="Secure card payment"]';

async function openSession(customer?: string): Promise<{ id: string; client_secret: string }> {
  const res = await stack.runtime.app.request('/v1/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 1250, currency: 'EUR', ...(customer ? { customer } : {}) }),
  });
  return res.json() as Promise<{ id: string; client_secret: string }>;
}

/** A merchant's page mounting the fields in `locale`, with a pay button that writes the outcome. */
const page = (secret: string, locale: string) => `<!doctype html><html><body>
<div id="pay"></div><button id="go" type="button">Pay</button><p id="out"></p>
<script src="${stack.vaultUrl}/checkout.js"></script>
<script>
  const fields = Checkout(${JSON.stringify(keys.publishable)}).mount('#pay', { clientSecret: ${JSON.stringify(secret)}, locale: ${JSON.stringify(locale)} });
  document.getElementById('go').onclick = async () => {
    const result = await fields.confirm();
    document.getElementById('out').textContent = result.status;
  };
</script></body></html>`;

describeInBrowser('the fields in every language', () => {
  beforeAll(async () => {
    stack = await startStack();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const merchant = await createMerchant(stack.runtime.deps, { name: 'Languages shop', origins: [origin] });
    await stack.runtime.deps.db.updateTable('merchants').set({ frame_limit_per_address: 0, rate_limit: 0 }).where('id', '=', merchant.id).execute();
    keys = { publishable: merchant.publishable_key, secret: merchant.secret_key };
    shop = http.createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', origin);
      const session = await openSession(url.searchParams.get('customer') ?? undefined);
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-session': session.id })
        .end(page(session.client_secret, url.searchParams.get('locale') ?? 'en'));
    });
    await new Promise<void>((resolve) => shop!.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => (shop ? shop.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  it("shows each locale's own texts, in its language and direction", async () => {
    const context = await stack.context();
    try {
      const tab = await context.newPage();
      let sessionReads = 0;
      tab.on('request', (r) => void (r.url().endsWith('/frame/v1/session') && sessionReads++));
      for (const locale of LOCALES) {
        sessionReads = 0;
        await tab.goto(`${origin}/?locale=${locale}`);
        const fields = tab.frameLocator(FRAME);
        await expect.poll(() => fields.locator('label[for="cv-number"]').textContent(), { timeout: 10_000 }).toBe(ROWS[locale as Locale][0]);
        // checkout.js asks in its list (the locale, then the browser's `en-US`): the fields show the
        // read their page started at once, in the language they picked from that list, and send no other.
        expect(sessionReads, locale).toBe(1);
        const html = fields.locator('html');
        expect(await html.getAttribute('lang'), locale).toBe(locale);
        expect(await html.evaluate((el) => getComputedStyle(el).direction), locale).toBe(locale === 'ar' ? 'rtl' : 'ltr');
      }
    } finally {
      await context.close();
    }
  });

  it('lays Arabic out from the right, keeps the card digits left to right, and pays', async () => {
    const context = await stack.context();
    try {
      const tab = await context.newPage();
      const response = await tab.goto(`${origin}/?locale=ar-EG`);
      const fields = tab.frameLocator(FRAME);
      const number = fields.locator('#cv-number');
      await number.fill('4242424242424242');
      expect(await number.inputValue()).toBe('4242 4242 4242 4242');
      expect(await number.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
      // The label starts at the right edge, the brand badge sits at the number's left end.
      const label = await fields.locator('label[for="cv-number"]').boundingBox();
      const input = await number.boundingBox();
      const badge = await fields.locator('.cv-control .cv-brand').first().boundingBox();
      expect(Math.abs(label!.x + label!.width - (input!.x + input!.width))).toBeLessThan(4);
      expect(badge!.x + badge!.width / 2).toBeLessThan(input!.x + input!.width / 2);
      await fields.locator('#cv-expiry').fill('12 / 34');
      await fields.locator('#cv-cvc').fill('123');
      await tab.locator('#go').click();
      await expect.poll(() => tab.locator('#out').textContent(), { timeout: 10_000 }).toBe('succeeded');
      const id = response!.headers()['x-session'];
      const paid = await stack.runtime.app.request(`/v1/sessions/${id}`, { headers: { authorization: `Bearer ${keys.secret}` } });
      expect(((await paid.json()) as { status: string }).status).toBe('complete');
    } finally {
      await context.close();
    }
  });

  it('shows an Arabic customer their saved card masked in its own order', async () => {
    const context = await stack.context();
    try {
      const tab = await context.newPage();
      // The customer saves a Mastercard on a first visit, then comes back.
      await tab.goto(`${origin}/?locale=ar&customer=layla`);
      const first = tab.frameLocator(FRAME);
      await first.locator('#cv-number').fill('5555555555554444');
      await first.locator('#cv-expiry').fill('12 / 34');
      await first.locator('#cv-cvc').fill('123');
      await first.locator('#cv-consent').check();
      await tab.locator('#go').click();
      await expect.poll(() => tab.locator('#out').textContent(), { timeout: 10_000 }).toBe('succeeded');
      await tab.goto(`${origin}/?locale=ar&customer=layla`);
      const fields = tab.frameLocator(FRAME);
      const masked = fields.locator('.cv-masked').first();
      await expect.poll(() => masked.textContent(), { timeout: 10_000 }).toBe('555555••••••4444');
      // Laid out left to right inside the right-to-left row: the BIN's first digit is the leftmost glyph.
      expect(await masked.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
      const [binStart, lastEnd] = await masked.evaluate((el) => {
        const range = document.createRange();
        const text = el.firstChild!;
        range.setStart(text, 0);
        range.setEnd(text, 1);
        const bin = range.getBoundingClientRect().left;
        range.setStart(text, text.textContent!.length - 1);
        range.setEnd(text, text.textContent!.length);
        return [bin, range.getBoundingClientRect().left];
      });
      expect(binStart).toBeLessThan(lastEnd);
    } finally {
      await context.close();
    }
  });

  it('says a declined card in Japanese', async () => {
    const context = await stack.context();
    try {
      const tab = await context.newPage();
      await tab.goto(`${origin}/?locale=ja`);
      const fields = tab.frameLocator(FRAME);
      await fields.locator('#cv-number').fill('4000000000000002');
      await fields.locator('#cv-expiry').fill('12 / 34');
      await fields.locator('#cv-cvc').fill('123');
      await tab.locator('#go').click();
      await expect.poll(() => tab.locator('#out').textContent(), { timeout: 10_000 }).toBe('failed');
      await expect.poll(() => fields.locator('body').textContent()).toContain('カードが拒否されました');
    } finally {
      await context.close();
    }
  });
});
