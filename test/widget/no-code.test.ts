import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCheckout } from '../../widget/create-checkout.ts';
import { mountFromScriptTag } from '../../widget/no-code.ts';
import { playFrame, VAULT } from './frame-peer.ts';

afterEach(() => {
  document.body.innerHTML = '';
  delete (window as any).onPaid;
});

function scriptTag(data: Record<string, string>) {
  const script = document.createElement('script');
  for (const [k, v] of Object.entries(data)) script.setAttribute(`data-${k}`, v);
  document.body.append(script);
  return script;
}

describe('the no-code mount', () => {
  it('mounts the fields with their own submit button and calls the named global with the result', async () => {
    document.body.innerHTML = '<div id="pay"></div>';
    (window as any).onPaid = vi.fn();
    const script = scriptTag({ key: 'pk_test_9', 'client-secret': 'cs_x1_secret_abc', mount: '#pay', 'on-complete': 'onPaid' });
    mountFromScriptTag(script, createCheckout(VAULT));
    const frame = document.querySelector('#pay iframe') as HTMLIFrameElement;
    expect(frame).not.toBeNull();
    const init = vi.fn(() => ({ ok: true }));
    const peer = playFrame(frame, { init });
    await peer.rpc.isReady;
    await peer.emit({ type: 'loaded' });
    await new Promise((r) => setTimeout(r, 0));
    expect(init).toHaveBeenCalledWith(expect.objectContaining({ clientSecret: 'cs_x1_secret_abc', submitButton: true }));
    const result = { status: 'succeeded', session: 'cs_x1', card: { brand: 'visa', last4: '4242', exp_month: 1, exp_year: 2031 }, saved: false } as const;
    await peer.emit({ type: 'complete', result });
    expect((window as any).onPaid).toHaveBeenCalledWith(result);
  });

  it('calls the named global with the failure when the fields cannot load (no button to press then)', async () => {
    document.body.innerHTML = '<div id="pay"></div>';
    (window as any).onPaid = vi.fn();
    mountFromScriptTag(scriptTag({ key: 'pk_test_9', 'client-secret': 'cs_x1_secret_abc', mount: '#pay', 'on-complete': 'onPaid' }), createCheckout(VAULT));
    const peer = playFrame(document.querySelector('#pay iframe') as HTMLIFrameElement, { init: () => ({ ok: true }) });
    await peer.rpc.isReady;
    await peer.emit({ type: 'loaded' });
    const error = { type: 'invalid_request_error', code: 'session_expired', message: 'This checkout session has expired' };
    await peer.emit({ type: 'error', error });
    expect((window as any).onPaid).toHaveBeenCalledWith({ status: 'failed', error });
  });

  it('does nothing without its three data attributes', () => {
    document.body.innerHTML = '<div id="pay"></div>';
    mountFromScriptTag(scriptTag({ key: 'pk_test_9', mount: '#pay' }), createCheckout(VAULT));
    expect(document.querySelector('iframe')).toBeNull();
  });
});
