// The iframe's side of the RPC with the page: pinned to the embedding page's origin and window,
// typed by protocol/messages.ts, and no handler's exception (or its stack) ever crosses to the page.
import { createRpc } from '../widget/post-message-rpc.ts';
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

  const rpc = createRpc({
    target: parent,
    serviceId: SERVICE_ID,
    origin: hostOrigin,
    // Any window of the page's origin (another tab's frame, a popup) could otherwise drive the
    // fields: only the page that embeds us is heard.
    listen(callback) {
      const listener = (event: MessageEvent) => {
        if (event.source === parent && event.origin === hostOrigin) callback(event);
      };
      self.addEventListener('message', listener);
      return () => self.removeEventListener('message', listener);
    },
  });

  // Events ask for no reply; once destroyed, nothing is sent.
  const call: HostRpc['call'] = (method, params) => rpc.notify(method, params as object);

  const ready = rpc.ready.then(() => {
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
    destroy: rpc.destroy,
  };
}
