// Runs the fields inside their iframe: answers the page's RPC (init, confirm, clear, focus), renders
// the App once the init parameters bring the client secret (by the RPC's `init`, or earlier in answer
// to the page's inline hello, see boot-script.ts), and reports events and the frame's height.
import { render } from 'preact';
import { RTL_LOCALES, type FrameEvent, type InitParams } from '../protocol/messages.ts';
import { createApiClient } from './api-client.ts';
import type { Boot } from './boot-script.ts';
import { applyAppearance } from './appearance.ts';
import { autoResize } from './auto-resize.ts';
import { App, NOT_READY, type FieldsController, type LoadOutcome } from './components/app.tsx';
import { createHostRpc, type HostRpcOptions } from './host-rpc.ts';
import { hasTexts, loadTexts, pickLocale } from './i18n.ts';

export interface FieldsFrameOptions extends HostRpcOptions {
  /** The vault's public URL, as the server wrote it into the page. */
  vault: string;
  container: HTMLElement;
  /** What the page's inline script left: the page's early init parameters and the session read they started. */
  boot?: Boot;
}

/** How long the first render waits for the session read before it shows a loading line instead. */
const FIRST_RENDER_WAIT_MS = 100;
const REMOVED: LoadOutcome = { ok: false, error: { type: 'api_error', code: 'internal', message: 'The fields were removed' } };
const RESTARTED: LoadOutcome = { ok: false, error: { type: 'api_error', code: 'internal', message: 'The fields were started again' } };

/** InitParams arrive by message: each part is checked before use, whatever the page sent. */
function cleanParams(raw: unknown): InitParams | undefined {
  const p = Object(raw) as Partial<InitParams>;
  if (typeof p.clientSecret !== 'string' || !p.clientSecret) return undefined;
  // Object() turns a missing or non-object value into an object the later checks can walk.
  return {
    clientSecret: p.clientSecret,
    locale: pickLocale(p.locale),
    appearance: Object(p.appearance),
    labels: Object(p.labels),
    submitButton: p.submitButton === true,
  };
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
  let stopped = false;

  const init = async (raw: unknown): Promise<LoadOutcome> => {
    const params = cleanParams(raw);
    if (!params) return { ok: false, error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'clientSecret is required' } };
    // The session read the inline script started serves the first init, if it was for this secret.
    const early = options.boot?.session;
    if (options.boot) options.boot.session = undefined;
    const { clientSecret } = params;
    const api = createApiClient({ vault, clientSecret, hostOrigin, early: early?.clientSecret === clientSecret ? early : undefined });
    // The page's own locale came with the fields' page; another one (an older checkout.js) is fetched.
    if (!hasTexts(params.locale)) await loadTexts(vault, params.locale);
    if (stopped) return REMOVED;
    // A second init starts over with a fresh App rather than mixing two sessions' state: the one on
    // screen goes at once, so nothing confirms or says `ready` for the session it replaces.
    const key = ++generation;
    render(null, container);
    // A session read that comes in quickly (it is usually under way since the inline script's hello)
    // is rendered with the App's first render: no loading line, no second render before `ready`.
    const pending = api.session(params.locale);
    const result = await Promise.race([pending, new Promise<undefined>((wait) => setTimeout(wait, FIRST_RENDER_WAIT_MS))]);
    if (stopped) return REMOVED;
    if (key !== generation) return RESTARTED;
    doc.documentElement.lang = params.locale;
    doc.documentElement.dir = RTL_LOCALES.includes(params.locale) ? 'rtl' : 'ltr';
    removeAppearance();
    removeAppearance = applyAppearance(doc.documentElement, params.appearance.variables);
    return new Promise((resolve) => {
      const onLoad = (outcome: LoadOutcome) => {
        // The page hears either way: its confirm() must never wait for fields that cannot load.
        emit(outcome.ok ? { type: 'ready' } : { type: 'error', error: outcome.error });
        resolve(outcome);
      };
      render(
        <App
          key={key}
          params={params}
          api={api}
          vaultOrigin={new URL(vault).origin}
          emit={emit}
          onLoad={onLoad}
          controller={controller}
          onRender={resize.measureSoon}
          read={{ pending, result }}
        />,
        container,
      );
    });
  };
  rpc.expose('init', init);
  // The page answered the inline script's hello: start with what it sent, now or when it arrives.
  const { boot } = options;
  if (boot?.params) void init(boot.params);
  else if (boot) boot.start = (raw) => void init(raw);
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
    stopped = true;
    if (boot) boot.start = undefined;
    rpc.destroy();
    resize.stop();
    render(null, container);
    removeAppearance();
  };
}
