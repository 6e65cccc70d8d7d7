// The fields' first script, inlined in the vault's page (allowed by its hash) ahead of the stylesheet:
// it says hello to the embedding page at once, and when the page answers with the init parameters it
// starts reading the session (to the end of its body, as api-client.ts reads one), then runs frame.js,
// so that the request is under way while frame.js is evaluated. frame.js takes over from
// `window.cvBoot`. A page that never answers the hello (an older checkout.js) gets the fields by the
// RPC's `init`, as before, once frame.js runs.
import { SERVICE_ID } from '../protocol/messages.ts';
import { HOST_ORIGIN_HEADER, type FrameSessionRequest } from '../protocol/types.ts';
import type { Answer } from './api-client.ts';
import { EARLY_INIT, HELLO } from '../widget/post-message-rpc.ts';

/**
 * frame.js (preloaded by the page, named by <html data-script>) runs once the page has answered and
 * the session read is under way, so that its evaluation does not hold back the answer, and once the
 * stylesheet is in. A page that talks by the RPC alone (an older checkout.js) gets it at its first
 * RPC message; one that says nothing at all, after this long.
 */
const FIELDS_FALLBACK_MS = 500;

/** What the script leaves for frame.js. */
export interface Boot {
  /** The page's init parameters, as it sent them (unchecked). */
  params?: unknown;
  /** The session read started with them, its body read too (frame.js then renders without waiting a task). */
  session?: { clientSecret: string; locale: unknown; answer: Promise<Answer> };
  /** Set by frame.js when it runs before the page has answered. */
  start?: (params: unknown) => void;
}

type Assert<T extends true> = T;
/** The session read's body in the script, `{ locale }`, is the contract's FrameSessionRequest (this fails to compile if its field is renamed). */
export type SessionReadBody = Assert<'locale' extends keyof FrameSessionRequest ? true : false>;

// Plain JavaScript that every browser the fields support runs as it is; its data comes from <html>.
export const BOOT_SCRIPT = `(() => {
  const { hostOrigin, vault, script } = document.documentElement.dataset;
  const boot = (window.cvBoot = {});
  let loading = false;
  const loadFields = () => {
    if (loading || !script) return;
    loading = true;
    const add = () => document.head.appendChild(Object.assign(document.createElement('script'), { src: script }));
    // After the stylesheet, as a deferred script would run: the first render is measured styled.
    const afterStyles = () => {
      const css = document.querySelector('link[rel=stylesheet]');
      if (!css || css.sheet) return add();
      css.addEventListener('load', add, { once: true });
      css.addEventListener('error', add, { once: true });
    };
    if (document.readyState === 'loading') addEventListener('DOMContentLoaded', afterStyles, { once: true });
    else afterStyles();
  };
  setTimeout(loadFields, ${FIELDS_FALLBACK_MS});
  const heard = (event) => {
    if (event.source !== parent || event.origin !== hostOrigin) return;
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    if (!message || message.serviceID !== ${JSON.stringify(SERVICE_ID)}) return;
    // A page that talks by the RPC alone (an older checkout.js) needs frame.js now.
    if (message.type !== ${JSON.stringify(EARLY_INIT)}) return loadFields();
    removeEventListener('message', heard);
    const params = (boot.params = Object(message.params));
    const { clientSecret, locale } = params;
    if (typeof clientSecret === 'string' && clientSecret) {
      const answer = fetch(vault.replace(/\\/+$/, '') + '/frame/v1/session', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + clientSecret, '${HOST_ORIGIN_HEADER}': hostOrigin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ locale }),
      }).then((res) => res.json().then((body) => ({ ok: res.ok, body }), () => ({ ok: res.ok, malformed: true })));
      // frame.js reads the answer; until then a failure is not an unhandled rejection.
      answer.catch(() => {});
      boot.session = { clientSecret, locale, answer };
    }
    loadFields();
    if (boot.start) boot.start(params);
  };
  addEventListener('message', heard);
  parent.postMessage(JSON.stringify({ serviceID: ${JSON.stringify(SERVICE_ID)}, type: ${JSON.stringify(HELLO)} }), hostOrigin);
})();`;
