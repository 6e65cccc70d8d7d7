// The RPC between the merchant's page and the fields, over postMessage: @mixer/postmessage-rpc behind
// the small interface both bundles use. The caller's `listen` hears only the one window and origin it
// trusts, and the library checks that origin again.
import { RPC } from '@mixer/postmessage-rpc';

/**
 * The shortcut before the RPC: the fields' page posts `{ serviceID, type: HELLO }` as soon as it is
 * parsed, and the page answers `{ serviceID, type: EARLY_INIT, params }` (the RPC's init parameters),
 * so the session is read while frame.js still loads. Neither packet is one the RPC reads.
 */
export const HELLO = 'hello';
export const EARLY_INIT = 'init';

export interface RpcOptions {
  serviceId: string;
  /** The window posted to, and the only origin it is posted for. */
  target: { postMessage(data: string, targetOrigin: string): void };
  origin: string;
  /** Subscribes to the trusted peer's messages; returns the unsubscribe. */
  listen(callback: (event: { data: unknown }) => void): () => void;
}

export interface Rpc {
  /** Resolves once both sides have exchanged `ready`. */
  ready: Promise<void>;
  expose(method: string, handler: (params: never) => unknown): void;
  /** Calls and waits for the reply; rejects if the other side answers with an error. */
  call(method: string, params: object): Promise<unknown>;
  /** Calls without asking for a reply. */
  notify(method: string, params: object): void;
  destroy(): void;
}

export function createRpc(options: RpcOptions): Rpc {
  const rpc = new RPC({
    target: options.target,
    serviceId: options.serviceId,
    origin: options.origin,
    // Only the trusted peer's messages arrive here, stamped with the origin they were checked against.
    receiver: { readMessages: (callback) => options.listen(({ data }) => callback({ data, origin: options.origin } as MessageEvent)) },
  });
  // A destroyed side sends nothing more: the library only stops listening.
  let live = true;
  return {
    ready: rpc.isReady,
    expose: (method, handler) => {
      rpc.expose(method, handler as (params: unknown) => unknown);
    },
    call: (method, params) => (live ? rpc.call(method, params, true) : new Promise(() => {})),
    notify: (method, params) => {
      if (live) rpc.call(method, params, false);
    },
    destroy: () => {
      live = false;
      rpc.destroy();
    },
  };
}
