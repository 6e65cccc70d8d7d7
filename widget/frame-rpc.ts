// The only page-side module that touches @mixer/postmessage-rpc. It pins the vault's origin and the
// iframe's window (the library checks the origin but never the sending window), and types the calls.
import { RPC } from '@mixer/postmessage-rpc';
import { SERVICE_ID, type FrameEvent, type FrameMethods } from '../protocol/messages.ts';

export interface FrameRpc {
  call<K extends keyof FrameMethods>(method: K, params: Parameters<FrameMethods[K]>[0]): Promise<ReturnType<FrameMethods[K]>>;
  destroy(): void;
}

export function connectFrame(options: { frame: HTMLIFrameElement; origin: string; onEvent: (event: FrameEvent) => void }): FrameRpc {
  const { frame, origin } = options;
  const receiver = {
    readMessages(callback: (ev: MessageEvent) => void) {
      const listener = (ev: MessageEvent) => {
        if (ev.origin === origin && ev.source === frame.contentWindow) callback(ev);
      };
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
  };
  const rpc = new RPC({ target: frame.contentWindow!, serviceId: SERVICE_ID, origin, receiver });
  rpc.expose('event', (event: FrameEvent) => {
    options.onEvent(event);
    return { ok: true };
  });
  return {
    call: (method, params) => rpc.call(method, params as object) as never,
    destroy: () => rpc.destroy(),
  };
}
