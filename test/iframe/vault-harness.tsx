// Test harness for the fields: a real vault in-process reached through `fetch` (as the iframe's
// browser would: a POST from the vault's own page carries Origin: the vault), and <App> mounted
// into happy-dom with the page's side of the contract recorded.
import { render } from 'preact';
import { App, type FieldsController, type LoadOutcome } from '../../iframe/components/app.tsx';
import { createApiClient } from '../../iframe/api-client.ts';
import { addTexts } from '../../iframe/i18n.ts';
import { ROWS } from '../../iframe/locales.ts';
import type { FrameEvent, InitParams } from '../../protocol/messages.ts';
import { CARDS, SHOP, VAULT, newCard, openSession, startTestVault, type TestVault, LIFTABLE_LIMITS } from '../helpers/test-vault.ts';

export interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A vault whose limits do not get in the way of a test file's many requests. */
export async function startVault(): Promise<TestVault> {
  const v = await startTestVault('sqlite', { limits: LIFTABLE_LIMITS });
  await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  return v;
}

const CONN = { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as never;

/**
 * A request to the vault as the fields' page makes it. happy-dom's Request drops the forbidden Origin
 * header from init, so it is set afterwards, as a browser would.
 */
function asFromFields(input: RequestInfo | URL, init?: RequestInit): Request {
  const request = new Request(input, init);
  request.headers.set('origin', VAULT);
  return request;
}

/** POST /frame/v1/… from the fields (test/helpers' `frame()` sets Origin in init, which happy-dom drops). */
export async function frameCall(v: TestVault, path: string, secret: string, body: unknown) {
  const res = await v.runtime.app.request(
    asFromFields(`${VAULT}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'checkout-host-origin': SHOP, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    undefined,
    CONN,
  );
  return { status: res.status, body: (await res.json()) as any };
}

/** Pays once with a new card and saves it, so that the customer has a one-click card. */
export async function saveCard(v: TestVault, customer: string, number: string = CARDS.visa): Promise<string> {
  const s = await openSession(v, { customer });
  const res = await frameCall(v, '/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
  if (res.status !== 200) throw new Error(`card not saved: ${JSON.stringify(res.body)}`);
  return res.body.card.token;
}

/**
 * Routes the global fetch to the real vault app (the network edge, nothing mocked behind it) and
 * records every request the fields make.
 */
export function routeFetchTo(v: TestVault): { sent: SentRequest[]; restore: () => void } {
  const original = globalThis.fetch;
  const sent: SentRequest[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = asFromFields(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    sent.push({ url: request.url, headers, body: typeof init?.body === 'string' ? init.body : '' });
    return v.runtime.app.request(request, undefined, CONN);
  }) as typeof fetch;
  return { sent, restore: () => void (globalThis.fetch = original) };
}

export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Mounted {
  container: HTMLElement;
  events: FrameEvent[];
  controller: { current?: FieldsController };
  outcome: LoadOutcome;
  unmount(): void;
}

export async function mountApp(clientSecret: string, params: Partial<InitParams> = {}): Promise<Mounted> {
  const container = document.createElement('div');
  document.body.append(container);
  const events: FrameEvent[] = [];
  const controller: { current?: FieldsController } = {};
  const full: InitParams = { clientSecret, locale: 'en', appearance: {}, labels: {}, submitButton: false, ...params };
  // The vault's page brings the texts of the locale the page asked for.
  addTexts(full.locale, ROWS[full.locale]);
  const api = createApiClient({ vault: VAULT, clientSecret, hostOrigin: SHOP });
  const outcome = await new Promise<LoadOutcome>((resolve) => {
    render(<App params={full} api={api} vaultOrigin={VAULT} emit={(e) => events.push(e)} onLoad={resolve} controller={controller} />, container);
  });
  await tick();
  return {
    container,
    events,
    controller,
    outcome,
    unmount: () => {
      render(null, container);
      container.remove();
    },
  };
}

/** Types into an input as the browser reports it: the new value, then an `input` event. */
export async function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await tick();
}

export async function focus(el: Element | null) {
  (el as HTMLElement).focus();
  await tick();
}

export async function blur(el: Element | null) {
  (el as HTMLElement).blur();
  await tick();
}

export const $ = (root: ParentNode, selector: string) => root.querySelector<HTMLInputElement>(selector)!;
