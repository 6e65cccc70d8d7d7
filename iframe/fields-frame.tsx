// Runs the fields inside their iframe: answers the page's RPC (init, confirm, clear, focus), renders
// the App once `init` brings the client secret, and reports events and the frame's height.
import { render } from 'preact';
import type { FrameEvent, InitParams } from '../protocol/messages.ts';
import { createApiClient } from './api-client.ts';
import { applyAppearance } from './appearance.ts';
import { autoResize } from './auto-resize.ts';
import { App, NOT_READY, type FieldsController, type LoadOutcome } from './components/app.tsx';
import { createHostRpc, type HostRpcOptions } from './host-rpc.ts';
import { pickLocale } from './i18n.ts';

export interface FieldsFrameOptions extends HostRpcOptions {
  /** The vault's public URL, as the server wrote it into the page. */
  vault: string;
  container: HTMLElement;
}

/** InitParams arrive by message: each part is checked before use, whatever the page sent. */
function cleanParams(raw: unknown): InitParams | undefined {
  const p = Object(raw) as Partial<InitParams>;
  if (typeof p.clientSecret !== 'string' || !p.clientSecret) return undefined;
  // Object() turns a missing or non-object value into an object the later checks can walk.
  return { clientSecret: p.clientSecret, locale: pickLocale(p.locale), appearance: Object(p.appearance), labels: Object(p.labels), submitButton: p.submitButton === true };
}

/** Starts the fields and returns the function that tears all of it down. */
export function startFields(options: FieldsFrameOptions): () => void {
  const { container, vault, hostOrigin } = options;
  const doc = container.ownerDocument;
  const rpc = createHostRpc(options);
  const controller: { current?: FieldsController } = {};
  const emit = (event: FrameEvent) => rpc.call('event', event);
  const resize = autoResize(doc.documentElement, (height) => emit({ type: 'resize', height }));
  let removeAppearance = () => {};
  let generation = 0;

  rpc.expose('init', (raw) => {
    const params = cleanParams(raw);
    if (!params) return { ok: false, error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'clientSecret is required' } };
    doc.documentElement.lang = params.locale;
    removeAppearance();
    removeAppearance = applyAppearance(doc.documentElement, params.appearance.variables);
    const api = createApiClient({ vault, clientSecret: params.clientSecret, hostOrigin });
    // A second init starts over with a fresh App rather than mixing two sessions' state.
    const key = ++generation;
    return new Promise<LoadOutcome>((resolve) => {
      const onLoad = (outcome: LoadOutcome) => {
        if (outcome.ok) emit({ type: 'ready' });
        resolve(outcome);
      };
      render(<App key={key} params={params} api={api} vaultOrigin={new URL(vault).origin} emit={emit} onLoad={onLoad} controller={controller} onRender={resize.measure} />, container);
    });
  });
  rpc.expose('confirm', () => (controller.current ? controller.current.confirm() : NOT_READY));
  rpc.expose('clear', () => {
    controller.current?.clear();
    return { ok: true };
  });
  rpc.expose('focus', () => {
    doc.defaultView?.focus();
    controller.current?.focus();
    return { ok: true };
  });

  return () => {
    rpc.destroy();
    resize.stop();
    render(null, container);
    removeAppearance();
  };
}
