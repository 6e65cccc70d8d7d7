import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCheckout } from '../../widget/create-checkout.ts';
import { LOAD_GRACE_MS, MOUNT_TIMEOUT_MS } from '../../widget/frame-rpc.ts';
import type { Fields } from '../../widget/types.ts';
import { hello, playFrame, tick, VAULT } from './frame-peer.ts';

const Checkout = createCheckout(VAULT);
const clientSecret = 'cs_abc123_secret_s3cr3tS3cr3t';
let fields: Fields | undefined;

beforeEach(() => {
  document.body.innerHTML = '<div id="pay"></div>';
});
afterEach(() => {
  fields?.destroy();
  fields = undefined;
});

const frameOf = () => document.querySelector('#pay iframe') as HTMLIFrameElement;

async function mountReady(handlers: Record<string, (p: any) => unknown> = {}, options = {}) {
  fields = Checkout('pk_test_123').mount('#pay', { clientSecret, ...options });
  const peer = playFrame(frameOf(), { init: () => ({ ok: true }), ...handlers });
  await peer.rpc.isReady;
  await peer.emit({ type: 'loaded' });
  await peer.emit({ type: 'ready' });
  return peer;
}

describe('mount()', () => {
  it("puts the vault's fields in an explicit, sandboxed iframe, without the client secret in its URL", () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, title: 'Pay by card' });
    const frame = frameOf();
    const src = new URL(frame.src);
    expect(src.origin).toBe(VAULT);
    expect(src.pathname).toBe('/frame');
    expect(src.searchParams.get('pk')).toBe('pk_test_123');
    expect(src.searchParams.get('origin')).toBe('http://shop.test');
    expect(frame.src).not.toContain('secret');
    expect(frame.title).toBe('Pay by card');
    expect(frame.getAttribute('allow')).toBe('payment');
    expect(frame.getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
  });

  it("hands the client secret to the iframe by message, to the vault's origin only, once it says it loaded", async () => {
    const init = vi.fn(() => ({ ok: true }));
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, locale: 'fr', labels: { number: 'Numéro' } });
    const peer = playFrame(frameOf(), { init });
    await peer.rpc.isReady;
    expect(init).not.toHaveBeenCalled();
    await peer.emit({ type: 'loaded' });
    await tick();
    expect(init).toHaveBeenCalledWith(
      expect.objectContaining({ clientSecret, locale: `fr,${navigator.language}`, labels: { number: 'Numéro' }, submitButton: false }),
    );
    expect(peer.sent.every((m) => m.targetOrigin === VAULT)).toBe(true);
  });

  it("answers the fields' hello with the init parameters at once, to the vault's origin only, and never again by RPC", async () => {
    const init = vi.fn(() => ({ ok: true }));
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, locale: 'fr', appearance: { variables: { colorPrimary: '#123456' } } });
    const peer = playFrame(frameOf(), { init }, { sayHello: true });
    const early = peer.messages().filter((m) => m.type === 'init');
    const params = {
      clientSecret,
      locale: `fr,${navigator.language}`,
      appearance: { variables: { colorPrimary: '#123456' } },
      labels: {},
      submitButton: false,
    };
    expect(early).toEqual([{ serviceID: 'card-vault-fields/1', type: 'init', params }]);
    // The RPC comes up beside it; `loaded` no longer brings a second init.
    await peer.rpc.isReady;
    await peer.emit({ type: 'loaded' });
    await tick();
    expect(init).not.toHaveBeenCalled();
    expect(peer.sent.every((m) => m.targetOrigin === VAULT)).toBe(true);
  });

  it("names the locale in the iframe's URL, then the browser's, so the vault sends the texts of the first it speaks with the page", () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, locale: 'tr' });
    expect(new URL(frameOf().src).searchParams.get('locale')).toBe(`tr,${navigator.language}`);
  });

  it("sends what the page asked for, then the browser's language, and leaves to the vault which it speaks", () => {
    const language = vi.spyOn(navigator, 'language', 'get').mockReturnValue('pt-BR');
    try {
      fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
      expect(new URL(frameOf().src).searchParams.get('locale')).toBe('pt-BR');
      fields.destroy();
      // `auto`, or a language this checkout.js has never heard of: the vault falls back to the browser's.
      fields = Checkout('pk_test_123').mount('#pay', { clientSecret, locale: 'auto' });
      expect(new URL(frameOf().src).searchParams.get('locale')).toBe('auto,pt-BR');
    } finally {
      language.mockRestore();
    }
  });

  it("does not answer a hello from another origin, nor one of the vault's origin from another window", async () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
    const posted: string[] = [];
    (frameOf().contentWindow as any).postMessage = (data: string) => posted.push(data);
    hello(frameOf(), { origin: 'http://evil.test' });
    hello(frameOf(), { source: window });
    hello(frameOf(), { source: null });
    await tick(10);
    expect(posted).toEqual([]);
  });

  it('refuses a secret key and a missing client secret', () => {
    expect(() => Checkout('sk_test_nope')).toThrow(/publishable key/);
    expect(() => Checkout('pk_test_1').mount('#pay', { clientSecret: '' })).toThrow(/clientSecret/);
    expect(() => Checkout('pk_test_1').mount('#missing', { clientSecret })).toThrow(/no element/);
  });
});

describe('events', () => {
  it('relays ready, change, focus and blur to the page', async () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
    const seen: unknown[] = [];
    fields
      .on('ready', () => seen.push('ready'))
      .on('change', (e) => seen.push(e))
      .on('focus', () => seen.push('focus'))
      .on('blur', () => seen.push('blur'));
    const peer = playFrame(frameOf(), { init: () => ({ ok: true }) });
    await peer.rpc.isReady;
    await peer.emit({ type: 'ready' });
    await peer.emit({ type: 'focus' });
    await peer.emit({ type: 'change', detail: { complete: false, empty: false, brand: 'visa' } });
    await peer.emit({ type: 'blur' });
    expect(seen).toEqual(['ready', 'focus', { complete: false, empty: false, brand: 'visa' }, 'blur']);
  });

  it("sizes the iframe to the fields' content", async () => {
    const peer = await mountReady();
    await peer.emit({ type: 'resize', height: 312.4 });
    expect(frameOf().style.height).toBe('313px');
  });

  it("ignores a message from another origin, and one from another window of the vault's origin", async () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
    const ready = vi.fn();
    fields.on('ready', ready);
    const peer = playFrame(frameOf(), { init: () => ({ ok: true }) });
    await peer.rpc.isReady;
    const forged = (origin: string, source: Window | null) => {
      const packet = { type: 'method', serviceID: 'card-vault-fields/1', id: 99, method: 'event', params: { type: 'ready' }, counter: 100 };
      window.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(packet), origin, source: source as any }));
    };
    forged('http://evil.test', frameOf().contentWindow);
    forged(VAULT, window);
    forged(VAULT, null);
    await tick(10);
    expect(ready).not.toHaveBeenCalled();
  });
});

describe('confirm()', () => {
  it('resolves with what the fields answered', async () => {
    const result = {
      status: 'succeeded',
      session: 'cs_1',
      charge: 'ch_1',
      card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 },
      saved: false,
    };
    await mountReady({ confirm: () => result });
    await expect(fields!.confirm()).resolves.toEqual(result);
  });

  it('resolves a failure instead of rejecting when the fields throw', async () => {
    await mountReady({
      confirm: () => {
        throw new Error('boom');
      },
    });
    const result = await fields!.confirm();
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(result.error.message).not.toContain('boom');
  });

  it('resolves a failure after destroy()', async () => {
    await mountReady();
    fields!.destroy();
    await expect(fields!.confirm()).resolves.toMatchObject({ status: 'failed', error: { code: 'fields_destroyed' } });
  });
});

describe('destroy()', () => {
  it('removes the iframe and stops listening', async () => {
    const removed = vi.spyOn(window, 'removeEventListener');
    const peer = await mountReady();
    const change = vi.fn();
    fields!.on('change', change);
    fields!.destroy();
    expect(frameOf()).toBeNull();
    expect(removed).toHaveBeenCalledWith('message', expect.any(Function));
    void peer.emit({ type: 'change', detail: { complete: true, empty: false, brand: 'visa' } });
    await tick(10);
    expect(change).not.toHaveBeenCalled();
  });
});

describe('fields that cannot load', () => {
  const watch = (f: Fields) => {
    const errors: unknown[] = [];
    f.on('error', (error) => errors.push(error));
    return errors;
  };

  it('says so with an error event, and confirm() resolves fields_unavailable, when the frame loads without a word from the vault', async () => {
    vi.useFakeTimers();
    try {
      fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
      const errors = watch(fields);
      const pending = fields.confirm();
      // What the browser does with a page that frame-ancestors refused, or a vault that did not answer:
      // its own error page, then the frame's load event.
      frameOf().dispatchEvent(new Event('load'));
      await vi.advanceTimersByTimeAsync(LOAD_GRACE_MS - 1);
      expect(errors).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(errors).toEqual([
        expect.objectContaining({ type: 'api_error', code: 'fields_unavailable', message: expect.stringContaining('http://shop.test') }),
      ]);
      const result = await pending;
      expect(result).toEqual({ status: 'failed', error: errors[0] });
      expect(await fields.confirm()).toEqual(result);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says so too when the vault never answers at all (the frame never loads)', async () => {
    vi.useFakeTimers();
    try {
      fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
      const errors = watch(fields);
      await vi.advanceTimersByTimeAsync(MOUNT_TIMEOUT_MS - 1);
      expect(errors).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(errors).toEqual([expect.objectContaining({ code: 'fields_unavailable' })]);
      expect(await fields.confirm()).toMatchObject({ status: 'failed', error: { code: 'fields_unavailable' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('never calls fields unreachable once the vault has spoken, however long they take', async () => {
    vi.useFakeTimers();
    try {
      fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
      const errors = watch(fields);
      playFrame(frameOf(), { init: () => ({ ok: true }) }, { sayHello: true });
      await vi.advanceTimersByTimeAsync(MOUNT_TIMEOUT_MS * 2);
      expect(errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes on the fields' own error (a session that is closed) and answers every confirm() with it", async () => {
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret });
    const errors = watch(fields);
    const confirm = vi.fn(() => ({ status: 'succeeded' }));
    const peer = playFrame(frameOf(), { init: () => ({ ok: true }), confirm });
    await peer.rpc.isReady;
    await peer.emit({ type: 'loaded' });
    const error = { type: 'invalid_request_error', code: 'session_expired', message: 'This checkout session has expired' };
    await peer.emit({ type: 'error', error });
    expect(errors).toEqual([error]);
    expect(await fields.confirm()).toEqual({ status: 'failed', error });
    expect(confirm).not.toHaveBeenCalled();
  });
});

describe("the merchant's colours", () => {
  it('reach the fields as the page gave them: the fields, not checkout.js, keep them readable', async () => {
    const init = vi.fn((_params: any) => ({ ok: true }));
    const variables = { colorPrimary: '#0a7', colorBackground: '#1a1a1a', borderRadius: '6px' };
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, appearance: { variables } });
    const peer = playFrame(frameOf(), { init });
    await peer.rpc.isReady;
    await peer.emit({ type: 'loaded' });
    await tick();
    expect(init.mock.calls[0][0].appearance).toEqual({ variables });
  });
});

describe('an appearance the page got wrong', () => {
  it('still hands the fields their init for appearance: null, and confirm() goes through', async () => {
    const init = vi.fn((_params: any) => ({ ok: true }));
    fields = Checkout('pk_test_123').mount('#pay', { clientSecret, appearance: null as never });
    const peer = playFrame(frameOf(), { init, confirm: () => ({ status: 'succeeded', session: 'cs_1', card: {}, saved: false }) }, { sayHello: true });
    await peer.rpc.isReady;
    expect(peer.messages().filter((m) => m.type === 'init')).toEqual([expect.objectContaining({ params: expect.objectContaining({ appearance: {} }) })]);
    await peer.emit({ type: 'ready' });
    expect(await fields.confirm()).toMatchObject({ status: 'succeeded' });
  });
});
