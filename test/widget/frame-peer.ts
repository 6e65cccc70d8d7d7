// Plays the fields' iframe for widget tests: the real RPC library on the frame's side, its messages
// delivered to the page as coming from the vault's origin and the iframe's window.
import { RPC } from '@mixer/postmessage-rpc';
import { SERVICE_ID, type FrameEvent } from '../../protocol/messages.ts';

export const VAULT = 'http://vault.test';

// happy-dom loads no iframe page in these tests, so each iframe gets a stand-in window: the widget
// only posts to it and compares it by identity, which is all a cross-origin window allows anyway.
const frameWindows = new WeakMap<HTMLIFrameElement, Window>();
Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
  configurable: true,
  get(this: HTMLIFrameElement) {
    if (!this.isConnected) return null;
    if (!frameWindows.has(this)) frameWindows.set(this, { postMessage: () => undefined } as unknown as Window);
    return frameWindows.get(this)!;
  },
});

/** The fields' page says hello as soon as it is parsed (a vault of this build); the page answers with the init parameters. */
export function hello(frame: HTMLIFrameElement, from: { origin?: string; source?: unknown } = {}) {
  const data = JSON.stringify({ serviceID: SERVICE_ID, type: 'hello' });
  const source = 'source' in from ? from.source : frame.contentWindow;
  window.dispatchEvent(new MessageEvent('message', { data, origin: from.origin ?? VAULT, source: source as any }));
}

/** With `sayHello`, the frame greets the page before its load event, as the vault's page of this build does. */
export function playFrame(frame: HTMLIFrameElement, handlers: Record<string, (params: any) => unknown> = {}, { sayHello = false } = {}) {
  const frameWindow = frame.contentWindow!;
  const sent: { data: string; targetOrigin: string }[] = [];
  let deliverToFrame: ((ev: MessageEvent) => void) | undefined;
  // What the page posts to the frame is captured and handed to the frame's RPC.
  (frameWindow as any).postMessage = (data: string, targetOrigin: string) => {
    sent.push({ data, targetOrigin });
    if (targetOrigin === VAULT) queueMicrotask(() => deliverToFrame?.(new MessageEvent('message', { data, origin: 'http://shop.test' })));
  };
  if (sayHello) hello(frame);
  // The vault's page has "loaded" in the frame: the widget starts talking to it now, if it has not yet.
  frame.dispatchEvent(new Event('load'));
  const rpc = new RPC({
    serviceId: SERVICE_ID,
    origin: '*',
    target: { postMessage: (data: string) => window.dispatchEvent(new MessageEvent('message', { data, origin: VAULT, source: frameWindow as any })) },
    receiver: {
      readMessages: (cb: (ev: MessageEvent) => void) => {
        deliverToFrame = cb;
        return () => {
          deliverToFrame = undefined;
        };
      },
    },
  });
  for (const [name, handler] of Object.entries(handlers)) rpc.expose(name, handler);
  return {
    sent,
    rpc,
    emit: (event: FrameEvent) => rpc.call('event', event),
    /** Every message the page sent to the frame, parsed. */
    messages: () => sent.map((m) => JSON.parse(m.data)),
  };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
