import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHostRpc, type HostRpc } from '../../iframe/host-rpc.ts';
import { SERVICE_ID } from '../../protocol/messages.ts';

const SHOP = 'http://shop.test';

/** The embedding page as the iframe sees it: a window it posts to, recorded. */
function fakeParent() {
  const posted: { data: any; targetOrigin: string }[] = [];
  return { posted, postMessage: (data: string, targetOrigin: string) => void posted.push({ data: JSON.parse(data), targetOrigin }) };
}

/** A packet of the RPC protocol, as the page's side of the library would send it. */
const method = (name: string, params: unknown, id = 0, counter = 0) =>
  JSON.stringify({ type: 'method', serviceID: SERVICE_ID, id, method: name, params, counter });

function deliver(data: string, from: { origin: string; source: unknown }) {
  window.dispatchEvent(new MessageEvent('message', { data, origin: from.origin, source: from.source as MessageEventSource }));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createHostRpc', () => {
  let rpc: HostRpc | undefined;
  afterEach(() => {
    rpc?.destroy();
    rpc = undefined;
  });

  it("runs a method the embedding page calls, and answers to the page's origin only", async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    const clear = vi.fn(() => ({ ok: true as const }));
    rpc.expose('clear', clear);
    deliver(method('clear', {}, 7), { origin: SHOP, source: parent });
    await settle();
    expect(clear).toHaveBeenCalledOnce();
    const reply = parent.posted.find((p) => p.data.type === 'reply' && p.data.id === 7);
    expect(reply).toMatchObject({ targetOrigin: SHOP, data: { result: { ok: true } } });
    expect(parent.posted.every((p) => p.targetOrigin === SHOP)).toBe(true);
  });

  it('drops a message from another origin', async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    const clear = vi.fn(() => ({ ok: true as const }));
    rpc.expose('clear', clear);
    deliver(method('clear', {}), { origin: 'http://evil.test', source: parent });
    await settle();
    expect(clear).not.toHaveBeenCalled();
    expect(parent.posted.filter((p) => p.data.type === 'reply')).toEqual([]);
  });

  it('drops a message of the right origin from a window that is not the parent', async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    const clear = vi.fn(() => ({ ok: true as const }));
    rpc.expose('clear', clear);
    // Another frame or popup of the shop's origin, the fields' own window, and no window at all.
    for (const source of [fakeParent(), window, null]) deliver(method('clear', {}), { origin: SHOP, source });
    await settle();
    expect(clear).not.toHaveBeenCalled();
  });

  it("turns a thrown error into the method's failure shape, without its message or stack", async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    rpc.expose('confirm', () => {
      throw new Error('boom at secret place');
    });
    rpc.expose('init', async () => {
      throw new TypeError('nope');
    });
    deliver(method('confirm', {}, 1, 0), { origin: SHOP, source: parent });
    deliver(method('init', { clientSecret: 'x' }, 2, 1), { origin: SHOP, source: parent });
    await settle();
    await settle();
    const replies = parent.posted.filter((p) => p.data.type === 'reply' && p.data.id > 0);
    expect(replies.map((r) => r.data.result)).toEqual([
      { status: 'failed', error: { type: 'api_error', code: 'internal', message: expect.any(String) } },
      { ok: false, error: { type: 'api_error', code: 'internal', message: expect.any(String) } },
    ]);
    const raw = JSON.stringify(replies);
    expect(raw).not.toMatch(/boom|secret|nope|stack|\bat /);
    expect(replies.every((r) => r.data.error === undefined)).toBe(true);
  });

  it('says `loaded` once the page has answered the handshake, and sends events without waiting for replies', async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    const hello = parent.posted.find((p) => p.data.method === 'ready');
    expect(hello).toMatchObject({ targetOrigin: SHOP, data: { id: -1 } });
    deliver(JSON.stringify({ type: 'reply', serviceID: SERVICE_ID, id: -1, result: { protocolVersion: '1.0' }, counter: 0 }), { origin: SHOP, source: parent });
    await rpc.ready;
    const loaded = parent.posted.find((p) => p.data.method === 'event');
    expect(loaded).toMatchObject({ targetOrigin: SHOP, data: { params: { type: 'loaded' }, discard: true } });
    rpc.call('event', { type: 'focus' });
    expect(parent.posted.at(-1)?.data).toMatchObject({ method: 'event', params: { type: 'focus' } });
  });

  it('stops listening and sending once destroyed', async () => {
    const parent = fakeParent();
    rpc = createHostRpc({ hostOrigin: SHOP, parent });
    const clear = vi.fn(() => ({ ok: true as const }));
    rpc.expose('clear', clear);
    rpc.destroy();
    const count = parent.posted.length;
    deliver(method('clear', {}), { origin: SHOP, source: parent });
    rpc.call('event', { type: 'blur' });
    await settle();
    expect(clear).not.toHaveBeenCalled();
    expect(parent.posted.length).toBe(count);
  });

  it('refuses to start without an exact host origin', () => {
    expect(() => createHostRpc({ hostOrigin: '*', parent: fakeParent() })).toThrow();
    expect(() => createHostRpc({ hostOrigin: '', parent: fakeParent() })).toThrow();
  });
});
