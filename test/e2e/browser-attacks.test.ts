// Attacks on the browser side of the checkout, in Chromium: the vault on one origin, a merchant page
// on an allowed origin (A), an attacker on another (B). Hostile frames, popups and openers post RPC
// packets at the fields and at the page; the page's own scripts look for the card; the fields are
// framed by an outsider. Each test asserts the safe behaviour.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { CARDS } from '../helpers/test-cards.ts';
import { describeInBrowser, startStack, type Stack } from './harness.ts';

const VISA = CARDS.visa;
const CVC = '373';
const TITLE = 'Secure card payment';
const BLOCKED = 'chrome-error://chromewebdata/';
const SERVICE = 'card-vault-fields/1';

let stack: Stack;
let shop: Site; // origin A, on the merchant's list
let evil: Site; // origin B, on no list of this merchant
let merchant: CreatedMerchant;
let other: CreatedMerchant; // another merchant of the same vault, allowing B only
const contexts: BrowserContext[] = [];

interface Site {
  origin: string;
  close(): Promise<void>;
}

function site(): Promise<Site> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const html =
      url.pathname === '/shop'
        ? shopPage()
        : url.pathname === '/attacker'
          ? ATTACKER
          : url.pathname === '/frame-shop'
            ? framer(url)
            : '<!doctype html><title>blank</title>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

/** The merchant's checkout page: the README's mount, plus a recorder of every message it hears. */
const shopPage = () => `<!doctype html><title>Shop</title><div id="pay"></div><div id="second"></div>
<script>
  window.heard = []; window.completed = []; window.errors = [];
  addEventListener('message', (e) => heard.push(e.origin + ' ' + (typeof e.data === 'string' ? e.data : JSON.stringify(e.data))), true);
  window.before = Object.getOwnPropertyNames(window);
</script>
<script src="${stack.vaultUrl}/checkout.js"></script>
<script>
  window.added = Object.getOwnPropertyNames(window).filter((k) => !before.includes(k) && k !== 'before');
  window.fields = Checkout(${JSON.stringify(merchant.publishable_key)}).mount('#pay', {
    clientSecret: new URLSearchParams(location.search).get('cs'),
    onComplete: (r) => completed.push(r),
  });
  fields.on('error', (e) => errors.push(e));
</script>`;

/** An outsider's page that frames the merchant's checkout page (clickjacking). */
const framer = (url: URL) => {
  const src = `${shop.origin}/shop?cs=${encodeURIComponent(url.searchParams.get('cs') ?? '')}`;
  return `<!doctype html><title>Framer</title><iframe title="shop" width="800" height="600" src="${src}"></iframe>`;
};

/**
 * The hostile page: attack(win, cs) posts, to `win` and each of its frames, under both target origins,
 * the RPC's handshake and every method of the fields (init with its own labels, confirm, clear), the
 * page's hello, and fake `event`s the fields would send to the page. Every packet carries `x`.
 */
const ATTACKER = `<!doctype html><title>Attacker</title><script>
  window.got = [];
  addEventListener('message', (e) => got.push(e.origin + ' ' + (typeof e.data === 'string' ? e.data : JSON.stringify(e.data))));
  const S = ${JSON.stringify(SERVICE)};
  const packets = (cs) => [
    { type: 'method', method: 'ready', id: -1, counter: 0, params: { protocolVersion: '1.0' } },
    {
      type: 'method', method: 'init', id: 1, counter: 1,
      params: { clientSecret: cs, locale: 'en', labels: { number: 'HACKED' }, appearance: {}, submitButton: true },
    },
    { type: 'method', method: 'confirm', id: 2, counter: 2, params: {} },
    { type: 'method', method: 'clear', id: 3, counter: 3, params: {} },
    { type: 'hello' },
    { type: 'init', params: { clientSecret: cs, locale: 'en' } },
    {
      type: 'method', method: 'event', id: 4, counter: 4,
      params: {
        type: 'complete',
        result: { status: 'succeeded', session: 'cs_fake', card: { brand: 'visa', last4: '0000', exp_month: 1, exp_year: 2040 }, saved: false },
      },
    },
    { type: 'method', method: 'event', id: 5, counter: 5, params: { type: 'resize', height: 4321 } },
    { type: 'method', method: 'event', id: 6, counter: 6, params: { type: 'loaded' } },
  ].map((p) => JSON.stringify({ serviceID: S, discard: false, x: 'attack', ...p }));
  window.attack = (win, cs, vault) => {
    const targets = [win];
    for (let i = 0; i < win.frames.length; i++) targets.push(win.frames[i]);
    for (const w of targets) for (const o of ['*', vault]) for (const p of packets(cs)) try { w.postMessage(p, o); } catch (e) {}
    return targets.length;
  };
</script>`;

/** Packets attack() posts to one window that the vault's origin receives. */
const PER_WINDOW = 2 * 9;

async function openSession(m: CreatedMerchant, amount = 700): Promise<{ id: string; client_secret: string }> {
  const res = await stack.runtime.app.request('/v1/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${m.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount, currency: 'USD' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; client_secret: string };
}

async function sessionStatus(m: CreatedMerchant, id: string): Promise<{ status: string; amount: number }> {
  const res = await stack.runtime.app.request(`/v1/sessions/${id}`, { headers: { authorization: `Bearer ${m.secret_key}` } });
  return (await res.json()) as { status: string; amount: number };
}

interface Watched {
  context: BrowserContext;
  page: Page;
  consoleLines: string[];
  requests: { url: string; body: string; frame: string }[];
}

async function open(): Promise<Watched> {
  const context = await stack.context();
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  const consoleLines: string[] = [];
  const requests: Watched['requests'] = [];
  context.on('console', (m) => consoleLines.push(`${m.location().url} ${m.text()}`));
  context.on('request', (r) => {
    let frame = '';
    try {
      frame = r.frame().url();
    } catch {
      /* a popup's first navigation: no frame yet */
    }
    requests.push({ url: r.url(), body: r.postData() ?? '', frame });
  });
  const page = await context.newPage();
  return { context, page, consoleLines, requests };
}

/** The fields' frame of a page (or of a frame), once it holds the vault's page. */
async function fieldsFrame(owner: Page | Frame): Promise<Frame> {
  const handle = await owner.locator(`iframe[title="${TITLE}"]`).elementHandle();
  const frame = await handle!.contentFrame();
  await frame!.locator('#cv-number').waitFor();
  return frame!;
}

async function typeCard(f: Frame): Promise<void> {
  await f.locator('#cv-number').pressSequentially(VISA);
  await f.locator('#cv-expiry').pressSequentially('1234');
  await f.locator('#cv-cvc').pressSequentially(CVC);
}

/** Counts, inside the fields' frame, the attacker's packets it was sent (a sync point, not a sleep). */
const countAttacks = (f: Frame) =>
  f.evaluate(() => {
    (window as any).attacks = 0;
    addEventListener('message', (e) => {
      if (typeof e.data === 'string' && e.data.includes('"x":"attack"')) (window as any).attacks++;
    });
  });
const attacksSeen = (f: Frame) => f.evaluate(() => (window as any).attacks as number);

/** The fields after an attack: the card still typed, the labels the vault's, no confirmation. */
async function assertUntouched(w: Watched, page: Page | Frame, f: Frame, session: { id: string }): Promise<void> {
  expect(await f.locator('#cv-number').inputValue()).toBe('4242 4242 4242 4242');
  expect(await f.locator('label[for="cv-number"]').textContent()).not.toContain('HACKED');
  expect(w.requests.filter((r) => r.url.includes('/frame/v1/confirm'))).toEqual([]);
  expect(await page.evaluate(() => (window as any).completed)).toEqual([]);
  expect(await page.locator(`iframe[title="${TITLE}"]`).evaluate((el) => (el as HTMLElement).style.height)).not.toBe('4321px');
  expect((await sessionStatus(merchant, session.id)).status).toBe('open');
  // The fields still work for the page itself.
  const result = await page.evaluate(() => (window as any).fields.confirm());
  expect(result).toMatchObject({ status: 'succeeded', card: { last4: '4242' } });
}

describeInBrowser('browser attacks on the checkout fields', () => {
  beforeAll(async () => {
    stack = await startStack();
    [shop, evil] = await Promise.all([site(), site()]);
    merchant = await createMerchant(stack.runtime.deps, { name: 'Attacked shop', origins: [shop.origin] });
    other = await createMerchant(stack.runtime.deps, { name: 'Other shop', origins: [evil.origin] });
    for (const m of [merchant, other]) {
      await stack.runtime.deps.db.updateTable('merchants').set({ frame_limit_per_address: 0, rate_limit: 0 }).where('id', '=', m.id).execute();
    }
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([shop?.close(), evil?.close()]);
    await stack?.close();
  });

  it("never lets the card number or CVC reach the merchant's page: messages, DOM, frame URL and name, console, requests, window", async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${shop.origin}/shop?cs=${session.client_secret}`);
    const f = await fieldsFrame(w.page);
    await typeCard(f);
    await f.locator('#cv-cvc').blur();
    const result = await w.page.evaluate(() => (window as any).fields.confirm());
    expect(result).toMatchObject({ status: 'succeeded', card: { last4: '4242' } });
    const seen = await w.page.evaluate(() => {
      const iframe = document.querySelector('iframe') as HTMLIFrameElement;
      let readable = 'no';
      try {
        readable = String(iframe.contentWindow!.document.body.innerHTML);
      } catch {
        /* cross-origin: expected */
      }
      return {
        heard: (window as any).heard as string[],
        html: document.documentElement.outerHTML,
        src: iframe.src,
        name: iframe.name,
        contentDocument: iframe.contentDocument === null,
        readable,
        added: (window as any).added as string[],
        fieldsKeys: Object.keys((window as any).fields),
        storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
      };
    });
    expect(seen.heard.length, 'the recorder heard the fields').toBeGreaterThan(0);
    expect(seen.contentDocument).toBe(true);
    expect(seen.readable).toBe('no');
    // checkout.js adds one global and the fields object holds no data, only methods.
    expect(seen.added).toEqual(['Checkout']);
    expect(seen.fieldsKeys.sort()).toEqual(['clear', 'confirm', 'destroy', 'focus', 'off', 'on']);
    // The client secret travels by message to the vault's origin only: never in the frame's URL or name.
    expect(seen.src + seen.name).not.toContain(session.client_secret);
    const pageRequests = w.requests.filter((r) => r.frame.startsWith(shop.origin)).map((r) => `${r.url} ${r.body}`);
    const everything = [...seen.heard, seen.html, seen.src, seen.name, seen.storage, JSON.stringify(result), ...pageRequests, ...w.consoleLines];
    for (const text of everything) {
      expect(text.replace(/[\s-]/g, '').includes(VISA), `the page saw the number: ${text.slice(0, 200)}`).toBe(false);
      expect(/\b373\b/.test(text), `the page saw the CVC: ${text.slice(0, 200)}`).toBe(false);
    }
  });

  it('ignores RPC packets and fake events from a cross-origin frame on the merchant page', async () => {
    const w = await open();
    const session = await openSession(merchant);
    const theirs = await openSession(other);
    await w.page.goto(`${shop.origin}/shop?cs=${session.client_secret}`);
    const f = await fieldsFrame(w.page);
    await typeCard(f);
    await countAttacks(f);
    await w.page.evaluate((src) => {
      const iframe = Object.assign(document.createElement('iframe'), { src, title: 'ad' });
      document.body.append(iframe);
      return new Promise((resolve) => (iframe.onload = resolve));
    }, `${evil.origin}/attacker`);
    const ad = w.page.frames().find((fr) => fr.url().startsWith(evil.origin))!;
    await ad.evaluate(([cs, vault]) => (window as any).attack(parent, cs, vault), [theirs.client_secret, stack.vaultUrl]);
    await expect.poll(() => attacksSeen(f)).toBe(PER_WINDOW);
    await assertUntouched(w, w.page, f, session);
    const got = await ad.evaluate(() => (window as any).got as string[]);
    expect(got.join('\n')).not.toContain(session.client_secret);
    expect(got.filter((m) => m.startsWith(stack.vaultUrl))).toEqual([]);
  });

  it("ignores a same-origin popup and a same-origin sibling frame driving the page's fields", async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${shop.origin}/shop?cs=${session.client_secret}`);
    const f = await fieldsFrame(w.page);
    await typeCard(f);
    await countAttacks(f);
    const [popup] = await Promise.all([w.context.waitForEvent('page'), w.page.evaluate(() => void window.open('/attacker', 'pop'))]);
    await popup.waitForLoadState();
    await popup.evaluate((vault) => (window as any).attack(opener, 'cs_fake_secret_x', vault), stack.vaultUrl);
    await expect.poll(() => attacksSeen(f)).toBe(PER_WINDOW);
    await w.page.evaluate((src) => {
      const iframe = Object.assign(document.createElement('iframe'), { src, title: 'widget of a third party' });
      document.body.append(iframe);
      return new Promise((resolve) => (iframe.onload = resolve));
    }, `${shop.origin}/attacker`);
    const sibling = w.page.frames().find((fr) => fr.url() === `${shop.origin}/attacker`)!;
    await sibling.evaluate((vault) => (window as any).attack(parent, 'cs_fake_secret_x', vault), stack.vaultUrl);
    await expect.poll(() => attacksSeen(f)).toBe(2 * PER_WINDOW);
    await assertUntouched(w, w.page, f, session);
    for (const who of [popup.mainFrame(), sibling]) {
      expect((await who.evaluate(() => (window as any).got as string[])).filter((m) => m.startsWith(stack.vaultUrl))).toEqual([]);
    }
  });

  it("lets an outsider that opened the merchant's page neither drive nor hijack its fields (post, navigate, named target)", async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${evil.origin}/attacker`);
    const [popup] = await Promise.all([
      w.context.waitForEvent('page'),
      w.page.evaluate((url) => void ((window as any).victim = window.open(url)), `${shop.origin}/shop?cs=${session.client_secret}`),
    ]);
    const f = await fieldsFrame(popup);
    await typeCard(f);
    await countAttacks(f);
    await w.page.evaluate((vault) => (window as any).attack((window as any).victim, 'cs_fake_secret_x', vault), stack.vaultUrl);
    await expect.poll(() => attacksSeen(f)).toBe(PER_WINDOW);
    const tries = await w.page.evaluate((fake) => {
      const out: string[] = [];
      const victim = (window as any).victim as Window;
      try {
        victim.frames[0].location.href = fake;
        out.push('frames[0].location set');
      } catch (e) {
        out.push(`frames[0].location refused: ${(e as Error).name}`);
      }
      const named = window.open(fake, 'card-vault-fields');
      out.push(named === victim.frames[0] ? 'named target is the fields' : 'named target is a new window');
      return out;
    }, `${evil.origin}/fake-fields`);
    expect(tries).not.toContain('named target is the fields');
    expect(f.url().startsWith(`${stack.vaultUrl}/frame?`), 'the fields frame still holds the vault').toBe(true);
    expect(await f.locator('#cv-number').count()).toBe(1);
    await assertUntouched(w, popup, f, session);
    expect((await w.page.evaluate(() => (window as any).got as string[])).filter((m) => m.startsWith(stack.vaultUrl))).toEqual([]);
  });

  it("does not hand the client secret to a page that took the fields' place in the iframe (another origin)", async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${shop.origin}/shop?cs=${session.client_secret}`);
    await fieldsFrame(w.page);
    // Something on the page (or a frame allowed to navigate it) swaps the iframe's document for its own.
    await w.page.evaluate((src) => {
      const iframe = document.querySelector(`iframe`) as HTMLIFrameElement;
      iframe.src = src;
    }, `${evil.origin}/attacker`);
    await expect.poll(() => w.page.frames().some((fr) => fr.url() === `${evil.origin}/attacker`)).toBe(true);
    const impostor = w.page.frames().find((fr) => fr.url() === `${evil.origin}/attacker`)!;
    await impostor.waitForFunction(() => typeof (window as any).attack === 'function');
    await impostor.evaluate((vault) => {
      (window as any).attack(parent, 'cs_none_secret_x', vault);
      parent.postMessage('marker', '*');
    }, stack.vaultUrl);
    await expect.poll(() => w.page.evaluate(() => ((window as any).heard as string[]).some((m) => m.endsWith(' marker')))).toBe(true);
    const got = await impostor.evaluate(() => (window as any).got as string[]);
    expect(got.join('\n')).not.toContain(session.client_secret);
    expect(await w.page.evaluate(() => (window as any).completed)).toEqual([]);
    expect(
      await w.page
        .locator('iframe')
        .first()
        .evaluate((el) => (el as HTMLElement).style.height),
    ).not.toBe('4321px');
  });

  it("refuses to show the fields when an outsider frames the merchant's page (frame-ancestors checks every ancestor)", async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${evil.origin}/frame-shop?cs=${session.client_secret}`);
    await expect.poll(() => w.page.frames().map((fr) => fr.url())).toContain(BLOCKED);
    expect(w.page.frames().filter((fr) => fr.url().startsWith(`${stack.vaultUrl}/frame?`))).toEqual([]);
    const shopFrame = w.page.frames().find((fr) => fr.url().startsWith(`${shop.origin}/shop`))!;
    await expect.poll(() => shopFrame.evaluate(() => ((window as any).errors as { code: string }[]).map((e) => e.code))).toEqual(['fields_unavailable']);
  });

  it('gives an outsider nothing when it opens the fields page in a window of its own and posts to it', async () => {
    const w = await open();
    const session = await openSession(merchant);
    await w.page.goto(`${evil.origin}/attacker`);
    const frameUrl = `${stack.vaultUrl}/frame?pk=${encodeURIComponent(merchant.publishable_key)}&origin=${encodeURIComponent(shop.origin)}&locale=en`;
    const [popup] = await Promise.all([w.context.waitForEvent('page'), w.page.evaluate((url) => void ((window as any).victim = window.open(url)), frameUrl)]);
    await popup.waitForLoadState();
    await countAttacks(popup.mainFrame());
    await w.page.evaluate(([cs, vault]) => (window as any).attack((window as any).victim, cs, vault), [session.client_secret, stack.vaultUrl]);
    await expect.poll(() => attacksSeen(popup.mainFrame())).toBe(PER_WINDOW);
    expect(w.requests.filter((r) => r.url.includes('/frame/v1/'))).toEqual([]);
    expect(await popup.locator('#cv-number').count()).toBe(0);
    expect((await w.page.evaluate(() => (window as any).got as string[])).filter((m) => m.startsWith(stack.vaultUrl))).toEqual([]);
  });

  it("does not let the merchant's page drive another merchant's session through its own fields", async () => {
    const w = await open();
    const session = await openSession(merchant);
    const theirs = await openSession(other, 99_999);
    await w.page.goto(`${shop.origin}/shop?cs=${session.client_secret}`);
    await fieldsFrame(w.page);
    const read = w.page.waitForResponse((r) => r.url().endsWith('/frame/v1/session') && r.request().headers().authorization?.includes(theirs.client_secret));
    await w.page.evaluate(
      ([pk, cs]) => {
        const second = (window as any).Checkout(pk).mount('#second', { clientSecret: cs, title: 'second' });
        second.on('error', (e: unknown) => ((window as any).secondError = e));
      },
      [merchant.publishable_key, theirs.client_secret],
    );
    expect((await read).status()).toBeGreaterThanOrEqual(400);
    await expect.poll(() => w.page.evaluate(() => Boolean((window as any).secondError))).toBe(true);
    const second = await (await w.page.locator('iframe[title="second"]').elementHandle())!.contentFrame();
    expect(await second!.locator('#cv-number').count()).toBe(0);
    expect((await sessionStatus(other, theirs.id)).status).toBe('open');
  });
});
