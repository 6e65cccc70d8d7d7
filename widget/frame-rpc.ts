// The page's side of the talk with the fields' iframe. It pins the vault's origin and the iframe's
// window, starts the RPC once the frame holds the vault's page (its hello, or else its load event:
// posting to the blank document before would only make the browser log an origin mismatch), and
// hands over the init parameters exactly once: in answer to the hello, or by the RPC's `init` when
// the frame says `loaded` without having said hello (a vault of an older build).
import { SERVICE_ID, type FrameEvent, type FrameMethods, type InitParams } from '../protocol/messages.ts';
import { EARLY_INIT, HELLO, createRpc, type Rpc } from './post-message-rpc.ts';

export interface FrameRpc {
  call<K extends keyof FrameMethods>(method: K, params: Parameters<FrameMethods[K]>[0]): Promise<ReturnType<FrameMethods[K]>>;
  destroy(): void;
}

export interface FrameRpcOptions {
  frame: HTMLIFrameElement;
  origin: string;
  /** Read when the frame is ready for them: the client secret travels only then, by message. */
  init: () => InitParams;
  onEvent: (event: FrameEvent) => void;
  /**
   * The frame loaded without a word from the vault's page: the browser refused to show it (this
   * page's origin is not among the merchant's, so frame-ancestors blocked it) or the vault did not
   * answer, and the frame holds the browser's error page.
   */
  onUnreachable: () => void;
}

/** How long after the frame's load event the vault's page may still say its first word. */
export const LOAD_GRACE_MS = 3000;
/** How long after mount() a vault that never answers (no load event at all) is given. */
export const MOUNT_TIMEOUT_MS = 30_000;

const isHello = (data: unknown) => {
  try {
    const m = JSON.parse(data as string);
    return m?.serviceID === SERVICE_ID && m.type === HELLO;
  } catch {
    return false;
  }
};

export function connectFrame(options: FrameRpcOptions): FrameRpc {
  const { frame, origin } = options;
  let rpc: Rpc | undefined;
  let deliver: ((event: MessageEvent) => void) | undefined;
  let initSent = false;
  let heard = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  // A vault that never answers leaves the frame loading for as long as the browser waits: minutes.
  const deadline = setTimeout(() => heard || options.onUnreachable(), MOUNT_TIMEOUT_MS);

  const start = () => {
    if (rpc) return rpc;
    rpc = createRpc({
      target: frame.contentWindow!,
      serviceId: SERVICE_ID,
      origin,
      listen: (callback) => {
        deliver = callback;
        return () => {
          deliver = undefined;
        };
      },
    });
    rpc.expose('event', (event: FrameEvent) => {
      if (event.type === 'loaded' && !initSent) {
        initSent = true;
        void rpc!.call('init', options.init());
      }
      options.onEvent(event);
      return { ok: true };
    });
    return rpc;
  };

  // The library-less check the RPC relies on: the vault's origin, and the window of our iframe only.
  const listener = (event: MessageEvent) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    heard = true;
    if (!isHello(event.data)) return deliver?.(event);
    // The init parameters before the RPC's own `ready`: the frame's first script starts the session
    // read on them, and takes any other packet for a page that talks by the RPC alone.
    if (!initSent) {
      initSent = true;
      frame.contentWindow!.postMessage(JSON.stringify({ serviceID: SERVICE_ID, type: EARLY_INIT, params: options.init() }), origin);
    }
    start();
  };
  const loaded = () => {
    start();
    if (!heard) grace = setTimeout(() => heard || options.onUnreachable(), LOAD_GRACE_MS);
  };
  window.addEventListener('message', listener);
  frame.addEventListener('load', loaded, { once: true });

  return {
    call: (method, params) => (rpc ? rpc.call(method, params as object) : Promise.reject(new Error('not connected'))) as never,
    destroy() {
      clearTimeout(grace);
      clearTimeout(deadline);
      window.removeEventListener('message', listener);
      frame.removeEventListener('load', loaded);
      rpc?.destroy();
    },
  };
}
