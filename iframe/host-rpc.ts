// The only door to @mixer/postmessage-rpc on the iframe's side: pinned to the embedding page's
// origin and window, typed by protocol/messages.ts, and no handler's exception (or its stack)
// ever crosses to the page.
import { RPC } from '@mixer/postmessage-rpc';
import { SERVICE_ID, type ConfirmFailure, type FrameEvent, type FrameMethods, type PageMethods } from '../protocol/messages.ts';

type Params<K extends keyof FrameMethods> = Parameters<FrameMethods[K]>[0];
type Result<K extends keyof FrameMethods> = ReturnType<FrameMethods[K]>;

export interface HostRpcOptions {
  /** The page's origin, as the vault confirmed it when it served the fields. */
  hostOrigin: string;
  /** The window allowed to talk to us; window.parent unless a test stands in for it. */
  parent?: { postMessage(data: string, targetOrigin: string): void };
  /** The window whose `message` events are read. */
  self?: Window;
}

export interface HostRpc {
  expose<K extends keyof FrameMethods>(method: K, handler: (params: Params<K>) => Result<K> | Promise<Result<K>>): void;
  call<K extends keyof PageMethods>(method: K, params: Parameters<PageMethods[K]>[0]): void;
  /** Resolves once the page's RPC answered the handshake (and `loaded` has been sent). */
  ready: Promise<void>;
  destroy(): void;
}

const INTERNAL: ConfirmFailure['error'] = { type: 'api_error', code: 'internal', message: 'Unexpected error in the payment fields' };

export function createHostRpc(options: HostRpcOptions): HostRpc {
  const self = options.self ?? window;
  const parent = options.parent ?? self.parent;
  const { hostOrigin } = options;
  if (!hostOrigin || hostOrigin === '*') throw new Error('hostOrigin must be an exact origin');

  let destroyed = false;
  const rpc = new RPC({
    target: parent,
    serviceId: SERVICE_ID,
    origin: hostOrigin,
    receiver: {
      // The library compares the origin only; any window of that origin (another tab's frame, a
      // popup) could otherwise drive the fields. Only the page that embeds us is heard.
      readMessages(callback) {
        const listener = (event: MessageEvent) => {
          if (event.source !== parent || event.origin !== hostOrigin) return;
          callback(event);
        };
        self.addEventListener('message', listener);
        return () => self.removeEventListener('message', listener);
      },
    },
  });

  const call: HostRpc['call'] = (method, params) => {
    if (!destroyed) rpc.call(method, params as object, false);
  };

  const ready = rpc.isReady.then(() => {
    call('event', { type: 'loaded' } satisfies FrameEvent);
  });

  return {
    expose(method, handler) {
      rpc.expose(method, async (params: Params<typeof method>) => {
        try {
          return await handler(params);
        } catch {
          // The method's own failure shape, without the error's message or stack.
          return method === 'confirm' ? { status: 'failed', error: INTERNAL } : { ok: false, error: INTERNAL };
        }
      });
    },
    call,
    ready,
    destroy() {
      destroyed = true;
      rpc.destroy();
    },
  };
}
