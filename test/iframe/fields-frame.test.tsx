// The fields as the page drives them: the page's side of the RPC (played here by the same library
// the widget wraps) talks to startFields() through window messages, and the vault is the real one.
import { RPC } from '@mixer/postmessage-rpc';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BOOT_SCRIPT, type Boot } from '../../iframe/boot-script.ts';
import { startFields } from '../../iframe/fields-frame.tsx';
import { SERVICE_ID, type FrameEvent, type InitParams } from '../../protocol/messages.ts';
import { CARDS, SHOP, VAULT, openSession, type TestVault } from '../helpers/test-vault.ts';
import { $, mountApp, routeFetchTo, startVault, tick, type, type Mounted, type SentRequest } from './vault-harness.tsx';

/** A valid Visa number that is no test card: what a developer might type from their own wallet. */
const REAL = '4012888888881881';
const TEST_CARD_TEXT = 'This shop is in test mode: use a test card.';
const DECLINED_TEXT = 'The card was declined. Use another card.';

const nextYear = String((new Date().getUTCFullYear() + 2) % 100).padStart(2, '0');

let v: TestVault;
let net: { sent: SentRequest[]; restore: () => void };
let cleanup: (() => void)[] = [];

beforeAll(async () => {
  v = await startVault();
  net = routeFetchTo(v);
});
afterAll(async () => {
  net.restore();
  await v.close();
});
afterEach(() => {
  for (const f of cleanup.reverse()) f();
  cleanup = [];
  document.documentElement.removeAttribute('lang');
});

/**
 * The embedding page: `parent` is the window the fields post to; what the page sends arrives on the
 * fields' window from that window and the shop's origin. Delivery is asynchronous, as postMessage is.
 */
function playPage() {
  const receivers = new Set<(ev: { data: unknown; origin: string }) => void>();
  const fromFrame: { data: string; targetOrigin: string }[] = [];
  const parent = {
    postMessage(data: string, targetOrigin: string) {
      fromFrame.push({ data, targetOrigin });
      setTimeout(() => {
        for (const cb of receivers) cb({ data, origin: VAULT });
      }, 0);
    },
  };
  const page = new RPC({
    target: {
      postMessage: (data: unknown) => setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data, origin: SHOP, source: parent as never })), 0),
    },
    serviceId: SERVICE_ID,
    origin: VAULT,
    receiver: {
      readMessages(cb) {
        receivers.add(cb);
        return () => receivers.delete(cb);
      },
    },
  });
  const events: FrameEvent[] = [];
  page.expose('event', (e: FrameEvent) => {
    events.push(e);
    return { ok: true };
  });
  cleanup.push(() => page.destroy());
  return { parent, page, events, fromFrame };
}

async function until(check: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(2);
  }
}

async function boot() {
  const p = playPage();
  const container = document.createElement('div');
  document.body.append(container);
  const destroy = startFields({ hostOrigin: SHOP, vault: VAULT, container, parent: p.parent });
  cleanup.push(() => {
    destroy();
    container.remove();
  });
  await until(() => p.events.some((e) => e.type === 'loaded'));
  const call = <T,>(method: string, params: object = {}) => p.page.call<T>(method, params);
  return { ...p, container, destroy, call };
}

const params = (clientSecret: string, extra: Partial<InitParams> = {}): InitParams => ({
  clientSecret,
  locale: 'en',
  appearance: {},
  labels: {},
  submitButton: false,
  ...extra,
});

describe('the fields driven by the page', () => {
  it('says `loaded`, takes init, renders the session, then says `ready`', async () => {
    const f = await boot();
    expect(f.events.map((e) => e.type)).toEqual(['loaded']);
    const s = await openSession(v, {});
    const init = await f.call(
      'init',
      params(s.secret, { locale: 'ru', appearance: { variables: { colorPrimary: '#123456', colorBackground: 'url(https://evil.test/)' } } }),
    );
    expect(init).toEqual({ ok: true });
    expect(f.events.map((e) => e.type)).toContain('ready');
    expect(document.documentElement.lang).toBe('ru');
    expect(document.documentElement.dir).toBe('ltr');
    expect(document.documentElement.style.getPropertyValue('--cv-color-primary')).toBe('#123456');
    expect(document.documentElement.style.getPropertyValue('--cv-color-background')).toBe('');
    expect(f.container.querySelector('label[for="cv-number"]')?.textContent).toBe('Номер карты');
    // The height is measured once the render's task is over.
    await vi.waitFor(() => expect(f.events.some((e) => e.type === 'resize' && typeof e.height === 'number')).toBe(true));
    expect(f.fromFrame.every((m) => m.targetOrigin === SHOP)).toBe(true);
  });

  it('writes Arabic right to left, in its own words, and English left to right again after it', async () => {
    const f = await boot();
    const s = await openSession(v, {});
    expect(await f.call('init', params(s.secret, { locale: 'ar-EG' as never }))).toEqual({ ok: true });
    expect(document.documentElement.lang).toBe('ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(f.container.querySelector('label[for="cv-number"]')?.textContent).toBe('رقم البطاقة');
    expect(await f.call('init', params(s.secret, { locale: 'en' }))).toEqual({ ok: true });
    expect(document.documentElement.dir).toBe('ltr');
    expect(f.container.querySelector('label[for="cv-number"]')?.textContent).toBe('Card number');
  });

  /** The loading line and the card number field, in the order they first appeared in the container. */
  function watchShown(container: HTMLElement) {
    const shown: string[] = [];
    const note = () => {
      if (container.querySelector('.cv-status[role=status]') && !shown.includes('loading')) shown.push('loading');
      if (container.querySelector('#cv-number') && !shown.includes('form')) shown.push('form');
    };
    const observer = new MutationObserver(note);
    observer.observe(container, { childList: true, subtree: true });
    cleanup.push(() => observer.disconnect());
    return shown;
  }

  it('shows the form in its first render when the session comes in at once: no loading line flashes before `ready`', async () => {
    const f = await boot();
    const shown = watchShown(f.container);
    const s = await openSession(v, {});
    expect(await f.call('init', params(s.secret))).toEqual({ ok: true });
    await until(() => f.events.some((e) => e.type === 'ready'));
    expect(shown).toEqual(['form']);
  });

  it('shows a loading line while a slow vault answers, then the form, and `ready` only then', async () => {
    const f = await boot();
    const shown = watchShown(f.container);
    const s = await openSession(v, {});
    const routed = globalThis.fetch;
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => tick(400).then(() => routed(input, init))) as typeof fetch;
    try {
      const init = f.call('init', params(s.secret));
      await until(() => shown.length > 0);
      expect(shown).toEqual(['loading']);
      expect(f.events.some((e) => e.type === 'ready')).toBe(false);
      expect(await init).toEqual({ ok: true });
      expect(shown).toEqual(['loading', 'form']);
      expect(f.events.some((e) => e.type === 'ready')).toBe(true);
    } finally {
      globalThis.fetch = routed;
    }
  });

  it('drops the fields of the session it replaces as soon as a second init starts', async () => {
    const f = await boot();
    const first = await openSession(v, {});
    expect(await f.call('init', params(first.secret))).toEqual({ ok: true });
    expect(f.container.querySelector('#cv-number')).not.toBeNull();
    const second = await openSession(v, {});
    const routed = globalThis.fetch;
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => tick(300).then(() => routed(input, init))) as typeof fetch;
    try {
      const again = f.call('init', params(second.secret));
      await tick(20);
      // Nothing of the first session is left to confirm while the second one loads.
      expect(f.container.querySelector('#cv-number')).toBeNull();
      expect(await f.call('confirm')).toMatchObject({ status: 'failed', error: { code: 'resource_missing' } });
      expect(await again).toEqual({ ok: true });
      expect(f.container.querySelector('#cv-number')).not.toBeNull();
    } finally {
      globalThis.fetch = routed;
    }
  });

  it('answers init without a client secret with an error, and confirm before init with a failure', async () => {
    const f = await boot();
    expect(await f.call('confirm')).toMatchObject({ status: 'failed', error: { code: 'resource_missing' } });
    expect(await f.call('init', { locale: 'en' })).toEqual({
      ok: false,
      error: { type: 'invalid_request_error', code: 'parameter_missing', message: expect.any(String) },
    });
    expect(f.events.some((e) => e.type === 'ready')).toBe(false);
  });

  it("answers init for a session it cannot show with the vault's error, tells the page by an `error` event, and no `ready`", async () => {
    const f = await boot();
    const error = { type: 'invalid_request_error', code: 'resource_missing' };
    expect(await f.call('init', params('cs_nope_secret_nope'))).toMatchObject({ ok: false, error });
    expect(f.events.some((e) => e.type === 'ready')).toBe(false);
    // A page that started the fields by the hello never sees init's answer: the event is what it hears.
    expect(f.events.filter((e) => e.type === 'error')).toEqual([{ type: 'error', error: expect.objectContaining(error) }]);
  });

  it('confirms for the page, and nothing it sends the page ever holds the card number or the CVC', async () => {
    const f = await boot();
    const s = await openSession(v, { customer: 'frame-rpc-1' });
    await f.call('init', params(s.secret));
    expect(await f.call('confirm')).toMatchObject({ status: 'failed', error: { type: 'card_error', code: 'invalid_number' } });

    await type($(f.container, '#cv-number'), CARDS.visa);
    await type($(f.container, '#cv-expiry'), '12/40');
    await type($(f.container, '#cv-cvc'), '987');
    await tick(5);
    expect(f.events.filter((e) => e.type === 'change').at(-1)).toEqual({ type: 'change', detail: { complete: true, empty: false, brand: 'visa' } });

    const result = await f.call<any>('confirm');
    expect(result).toMatchObject({ status: 'succeeded', session: s.id, card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2040 }, saved: false });
    const everything = f.fromFrame.map((m) => m.data).join('\n');
    expect(everything).not.toContain(CARDS.visa);
    expect(everything).not.toContain('4242 4242');
    expect(everything).not.toContain('987');
    expect(everything).not.toMatch(/"(number|cvc)"/);
    // Only the vault's own confirm endpoint ever saw the number.
    expect(net.sent.filter((r) => r.body.includes(CARDS.visa)).map((r) => new URL(r.url).pathname)).toEqual(['/frame/v1/confirm']);
  });

  it('clears and focuses for the page', async () => {
    const f = await boot();
    const s = await openSession(v, {});
    await f.call('init', params(s.secret));
    await type($(f.container, '#cv-number'), CARDS.mastercard);
    expect(await f.call('clear')).toEqual({ ok: true });
    await tick();
    expect($(f.container, '#cv-number').value).toBe('');
    expect(await f.call('focus')).toEqual({ ok: true });
    expect(document.activeElement?.id).toBe('cv-number');
    await tick(5);
    expect(f.events.some((e) => e.type === 'focus')).toBe(true);
  });

  it('tears everything down: the app, the appearance and the message listener', async () => {
    const f = await boot();
    const s = await openSession(v, {});
    await f.call('init', params(s.secret, { appearance: { variables: { colorPrimary: '#123456' } } }));
    f.destroy();
    expect(f.container.innerHTML).toBe('');
    expect(document.documentElement.style.getPropertyValue('--cv-color-primary')).toBe('');
    const before = f.fromFrame.length;
    f.page.call('clear', {}, false);
    await tick(10);
    expect(f.fromFrame.length).toBe(before);
  });
});

/**
 * The vault's page as the browser runs it: its inline script first (reading <html>'s data, greeting
 * `parent`), frame.js later. `parent` and `window` are the test's: the script's cvBoot lands on `scope`.
 */
function runBootScript(parent: { postMessage(data: string, targetOrigin: string): void }): Boot {
  Object.assign(document.documentElement.dataset, { hostOrigin: SHOP, vault: VAULT });
  cleanup.push(() => {
    delete document.documentElement.dataset.hostOrigin;
    delete document.documentElement.dataset.vault;
  });
  const scope: { cvBoot?: Boot } = {};
  new Function('parent', 'window', BOOT_SCRIPT)(parent, scope);
  return scope.cvBoot!;
}

const answerHello = (parent: unknown, params: unknown, origin = SHOP) => {
  const data = JSON.stringify({ serviceID: SERVICE_ID, type: 'init', params });
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: parent as MessageEventSource }));
};

const sessionReads = () => net.sent.filter((r) => r.url === `${VAULT}/frame/v1/session`);

describe("the hello shortcut of the vault's page", () => {
  // `locale` as checkout.js sends it: what it was given, then the browser's language (InitParams types the first).
  async function startWith(bootFirst: boolean, locale = 'fr' as InitParams['locale']) {
    const p = playPage();
    const s = await openSession(v, {});
    const before = sessionReads().length;
    const boot = runBootScript(p.parent);
    expect(p.fromFrame.map((m) => [JSON.parse(m.data), m.targetOrigin])).toEqual([[{ serviceID: SERVICE_ID, type: 'hello' }, SHOP]]);
    const container = document.createElement('div');
    document.body.append(container);
    const start = () => cleanup.push(startFields({ hostOrigin: SHOP, vault: VAULT, container, parent: p.parent, boot }), () => container.remove());
    if (!bootFirst) start();
    answerHello(p.parent, params(s.secret, { locale }));
    // The session is asked for at once, before frame.js has run (or however it stands).
    expect(sessionReads().length).toBe(before + 1);
    expect(sessionReads().at(-1)).toMatchObject({
      headers: { authorization: `Bearer ${s.secret}`, 'checkout-host-origin': SHOP },
      body: JSON.stringify({ locale }),
    });
    if (bootFirst) start();
    await until(() => p.events.some((e) => e.type === 'ready'));
    // The fields showed that read: they asked for no other.
    expect(sessionReads().length).toBe(before + 1);
    expect(container.querySelector('#cv-number')).not.toBeNull();
    return { ...p, container };
  }

  it('reads the session as soon as the page answers its hello, and frame.js shows that answer', async () => {
    const f = await startWith(true);
    // French texts were not in frame.js nor on this page: they were fetched.
    expect(f.container.querySelector('label[for="cv-number"]')?.textContent).toBe('Numéro de carte');
    expect(net.sent.some((r) => r.url === `${VAULT}/frame/texts/fr.json`)).toBe(true);
    expect(document.documentElement.lang).toBe('fr');
  });

  it("shows the early read when the page sends checkout.js's list of languages, the browser's appended", async () => {
    // checkout.js sends `locale` and navigator.language as one list; the fields pick French from it,
    // and the vault answered the early read in French too: a second read would only repeat it.
    const f = await startWith(true, 'fr,en-US' as InitParams['locale']);
    expect(document.documentElement.lang).toBe('fr');
    expect(f.container.querySelector('label[for="cv-number"]')?.textContent).toBe('Numéro de carte');
  });

  it('starts when the answer comes if frame.js ran before it', async () => {
    const f = await startWith(false);
    expect(f.events.filter((e) => e.type === 'ready')).toHaveLength(1);
  });

  /**
   * The scripts the boot script adds to <head>, captured instead of loaded (loading is the browser's
   * part), each with how many session reads had been sent when it was added.
   */
  function captureScripts() {
    const added: string[] = [];
    const readsThen: number[] = [];
    const append = document.head.appendChild.bind(document.head);
    document.head.appendChild = (<T extends Node>(node: T): T => {
      if (node instanceof HTMLScriptElement) {
        added.push(node.getAttribute('src') ?? '');
        readsThen.push(sessionReads().length);
      } else append(node);
      return node;
    }) as typeof document.head.appendChild;
    cleanup.push(() => {
      document.head.appendChild = append as typeof document.head.appendChild;
      delete document.documentElement.dataset.script;
    });
    document.documentElement.dataset.script = '/frame.js?v=test';
    return { added, readsThen };
  }

  /** A page that only listens: it sends nothing the boot script could take for the RPC. */
  const quietPage = () => ({ parent: { postMessage() {} } });

  it('runs frame.js once the page has answered, after starting the session read, and only once', async () => {
    const { added, readsThen } = captureScripts();
    const p = quietPage();
    const s = await openSession(v, {});
    const before = sessionReads().length;
    runBootScript(p.parent);
    await tick(5);
    expect(added).toEqual([]);
    answerHello(p.parent, params(s.secret));
    expect(sessionReads().length).toBe(before + 1);
    expect(added).toEqual(['/frame.js?v=test']);
    // The read was sent before frame.js was added.
    expect(readsThen).toEqual([before + 1]);
    answerHello(p.parent, params(s.secret));
    expect(added).toEqual(['/frame.js?v=test']);
  });

  it('runs frame.js at once for a page that talks by the RPC alone (an older checkout.js)', async () => {
    const { added } = captureScripts();
    const p = quietPage();
    runBootScript(p.parent);
    window.dispatchEvent(
      new MessageEvent('message', {
        data: JSON.stringify({ type: 'method', serviceID: SERVICE_ID, id: -1, method: 'ready', params: {}, discard: false }),
        origin: SHOP,
        source: p.parent as unknown as MessageEventSource,
      }),
    );
    expect(added).toEqual(['/frame.js?v=test']);
  });

  it('runs frame.js only once the stylesheet is in, as a deferred script would', async () => {
    const { added } = captureScripts();
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    document.head.append(css);
    cleanup.push(() => css.remove());
    const p = quietPage();
    const s = await openSession(v, {});
    runBootScript(p.parent);
    answerHello(p.parent, params(s.secret));
    expect(added).toEqual([]);
    css.dispatchEvent(new Event('load'));
    expect(added).toEqual(['/frame.js?v=test']);
  });

  it('runs frame.js anyway for a page that never answers (an older checkout.js starts the fields by the RPC)', async () => {
    vi.useFakeTimers();
    try {
      const { added } = captureScripts();
      runBootScript(quietPage().parent);
      vi.advanceTimersByTime(499);
      expect(added).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(added).toEqual(['/frame.js?v=test']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes no answer from another origin or window, and sends nothing for it', async () => {
    const p = playPage();
    const s = await openSession(v, {});
    const before = net.sent.length;
    const boot = runBootScript(p.parent);
    answerHello(p.parent, params(s.secret), 'http://evil.test');
    answerHello(window, params(s.secret));
    answerHello(null, params(s.secret));
    await tick(5);
    expect(boot.params).toBeUndefined();
    expect(net.sent.length).toBe(before);
    // Let the script's listener go: the real parent answers.
    answerHello(p.parent, params(s.secret));
    expect(boot.params).toMatchObject({ clientSecret: s.secret });
  });
});

// The test-card label (errorTestCard): a real card typed into a test-mode shop is explained to the
// developer, yet the page (confirm(), `complete`, `error`, init's answer, every message posted to it)
// still gets only the error's type, code and message, never the decline code; a forged or near-miss
// decline code does not show the label.
async function fill(root: ParentNode, number: string) {
  await type($(root, '#cv-number'), number);
  await type($(root, '#cv-expiry'), `12/${nextYear}`);
  await type($(root, '#cv-cvc'), '123');
}

/** What the page may hear of an error: the three fields and nothing more. */
function expectOnlyThreeFields(error: unknown, code: string) {
  expect(error).toEqual({ type: expect.any(String), code, message: expect.any(String) });
  expect(Object.keys(error as object).sort()).toEqual(['code', 'message', 'type']);
}
function expectNothingMorePosted(fromFrame: { data: string }[]) {
  const everything = fromFrame.map((m) => m.data).join('\n');
  expect(everything).not.toContain('decline_code');
  expect(everything).not.toContain('test_mode_live_card');
  expect(everything).not.toContain('"param"');
  expect(everything).not.toContain(REAL);
  expect(everything).not.toContain(REAL.slice(6, 12));
}

/** Answers the fields' POSTs to `path` with `answer` (status and body) in front of the real vault. */
function answerWith(path: string, status: number, body: unknown) {
  const routed = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (new URL(url).pathname === path) return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    return routed(input, init);
  }) as typeof fetch;
  cleanup.push(() => void (globalThis.fetch = routed));
}

describe('the page never hears the decline code', () => {
  it('confirm(): a real card in a test-mode shop gives the page type, code and message only, while the fields explain it', async () => {
    const f = await boot();
    const s = await openSession(v, { customer: 'review-label-1' });
    await f.call('init', params(s.secret));
    await until(() => f.events.some((e) => e.type === 'ready'));
    await fill(f.container, REAL);
    const result = await f.call<any>('confirm');
    expect(result.status).toBe('failed');
    expectOnlyThreeFields(result.error, 'card_declined');
    expect(result.error.message).toMatch(/test mode/);
    expect(f.container.querySelector('#cv-notice')?.textContent).toBe(TEST_CARD_TEXT);
    expectNothingMorePosted(f.fromFrame);
    // The vault did say why, to the fields only.
    expect(net.sent.some((r) => r.url === `${VAULT}/frame/v1/confirm` && r.body.includes(REAL))).toBe(true);
  });

  it("the fields' own submit button: the `complete` event carries the same three fields, nothing more", async () => {
    const f = await boot();
    const s = await openSession(v, { customer: 'review-label-2' });
    await f.call('init', params(s.secret, { submitButton: true }));
    await until(() => f.events.some((e) => e.type === 'ready'));
    await fill(f.container, REAL);
    f.container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await until(() => f.events.some((e) => e.type === 'complete'));
    const complete = f.events.find((e) => e.type === 'complete') as Extract<FrameEvent, { type: 'complete' }>;
    expect(complete.result.status).toBe('failed');
    expectOnlyThreeFields((complete.result as { error: unknown }).error, 'card_declined');
    expect(f.container.querySelector('#cv-notice')?.textContent).toBe(TEST_CARD_TEXT);
    expectNothingMorePosted(f.fromFrame);
  });

  it('the `error` event and init’s answer: a session read refused with a decline code and extras gives the page three fields', async () => {
    answerWith('/frame/v1/session', 402, {
      error: {
        type: 'card_error',
        code: 'card_declined',
        message: 'This shop is in test mode',
        decline_code: 'test_mode_live_card',
        param: 'card.number',
        charge: 'ch_x',
        processor: { raw: 'secret detail' },
      },
    });
    const f = await boot();
    const s = await openSession(v, { customer: 'review-label-3' });
    const answer = await f.call<any>('init', params(s.secret));
    expect(answer.ok).toBe(false);
    expectOnlyThreeFields(answer.error, 'card_declined');
    await until(() => f.events.some((e) => e.type === 'error'));
    const event = f.events.find((e) => e.type === 'error') as Extract<FrameEvent, { type: 'error' }>;
    expectOnlyThreeFields(event.error, 'card_declined');
    // confirm() afterwards answers from what the fields kept: the same three fields.
    const result = await f.call<any>('confirm');
    expectOnlyThreeFields(result.error, 'card_declined');
    const everything = f.fromFrame.map((m) => m.data).join('\n');
    expect(everything).not.toContain('secret detail');
    expect(everything).not.toContain('ch_x');
    expectNothingMorePosted(f.fromFrame);
  });
});

describe('the test-card label shows only for the vault’s own refusal', () => {
  let mounted: Mounted[] = [];
  afterEach(() => {
    for (const m of mounted) m.unmount();
    mounted = [];
  });
  async function confirmAnswered(body: unknown, status = 402, extra: Partial<InitParams> = {}) {
    answerWith('/frame/v1/confirm', status, body);
    const s = await openSession(v, {});
    const m = await mountApp(s.secret, extra);
    mounted.push(m);
    await fill(m.container, CARDS.visa);
    const result = await m.controller.current!.confirm();
    return { result, notice: m.container.querySelector('#cv-notice')?.textContent };
  }

  const near: [string, Record<string, unknown>, string][] = [
    ['another decline code', { code: 'card_declined', decline_code: 'generic_decline' }, DECLINED_TEXT],
    ['upper case', { code: 'card_declined', decline_code: 'TEST_MODE_LIVE_CARD' }, DECLINED_TEXT],
    ['with a space', { code: 'card_declined', decline_code: 'test_mode_live_card ' }, DECLINED_TEXT],
    ['in an array', { code: 'card_declined', decline_code: ['test_mode_live_card'] }, DECLINED_TEXT],
    ['an object that prints as it', { code: 'card_declined', decline_code: { toString: 'test_mode_live_card' } }, DECLINED_TEXT],
    ['the code on another error', { code: 'insufficient_funds', decline_code: 'test_mode_live_card' }, DECLINED_TEXT],
    ['as the code itself', { code: 'test_mode_live_card' }, 'The payment failed. Check the details or use another card.'],
  ];
  for (const [name, fields, text] of near) {
    it(`does not show it for ${name}, and the page still gets three fields`, async () => {
      const { result, notice } = await confirmAnswered({ error: { type: 'card_error', message: 'Declined', ...fields } });
      expect(notice, name).toBe(text);
      expect(result.status).toBe('failed');
      expect(Object.keys((result as { error: object }).error).sort()).toEqual(['code', 'message', 'type']);
    });
  }

  it('shows the processor’s own decline as declined, not as the test-card text (a test card that declines)', async () => {
    const s = await openSession(v, {});
    const m = await mountApp(s.secret);
    mounted.push(m);
    await fill(m.container, CARDS.declined);
    const result = await m.controller.current!.confirm();
    expect(result).toEqual({ status: 'failed', error: { type: 'card_error', code: 'card_declined', message: expect.any(String) } });
    expect(m.container.querySelector('#cv-notice')?.textContent).toBe(DECLINED_TEXT);
  });

  it("shows the customer's language and the merchant's own label for it", async () => {
    const refusal = { error: { type: 'card_error', code: 'card_declined', message: 'test mode', decline_code: 'test_mode_live_card' } };
    expect((await confirmAnswered(refusal, 402, { locale: 'fr' })).notice).toBe('Cette boutique est en mode test : utilisez une carte de test.');
    expect((await confirmAnswered(refusal, 402, { labels: { errorTestCard: 'Sandbox: use 4242.' } })).notice).toBe('Sandbox: use 4242.');
  });
});
