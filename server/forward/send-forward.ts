// The one HTTP call of a forward: to the registered URL (with the request's path under it), the
// registered headers beside the merchant's, within PROCESSOR_TIMEOUT_MS, following no redirect (a
// redirect would carry the card to an address nobody registered), and reading at most 1 MB of the
// answer. Its failures are told as a class: an error's own message could quote the address or the
// body it was sending.
import type { CheckedTemplate } from './placeholders.ts';
import { maskCardNumbers, registeredValueHider, safeHeaders } from './mask-answer.ts';

const MAX_ANSWER_BYTES = 1024 * 1024;

export type SendOutcome =
  | { ok: true; status: number; headers: Record<string, string>; body: string | null }
  | { ok: false; error: 'forward_timeout' | 'forward_failed' | 'answer_too_large' };

export interface ForwardTarget {
  /** The destination's registered URL. */
  url: string;
  /** Opened for this call only. */
  registeredHeaders: Record<string, string>;
}

/** The destination's URL with the request's path appended under its own path, and both queries kept. */
export function targetUrl(base: string, path: string | undefined): URL {
  const url = new URL(base);
  if (path === undefined) return url;
  const q = path.indexOf('?');
  const pathPart = q < 0 ? path : path.slice(0, q);
  const query = q < 0 ? '' : path.slice(q + 1);
  const basePath = url.pathname.replace(/\/$/, '');
  url.pathname = `${basePath}${pathPart}`;
  if (query) url.search = url.search ? `${url.search.slice(1)}&${query}` : query;
  // Checked again after the URL parser had its say: the request stays under what was registered.
  const root = new URL(base);
  if (url.origin !== root.origin || !url.pathname.startsWith(basePath)) throw new Error('the path leaves the destination');
  return url;
}

/** Sends the filled body; never throws. The answer comes back masked. */
export async function sendForward(target: ForwardTarget, template: CheckedTemplate, body: string, timeoutMs: number): Promise<SendOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const headers = new Headers(template.headers);
    // Set, not appended: a registered header replaces any of the same name, whatever its case.
    for (const [name, value] of Object.entries(target.registeredHeaders)) headers.set(name, value);
    const res = await fetch(targetUrl(target.url, template.path), {
      method: template.method,
      headers,
      body,
      redirect: 'manual',
      signal,
    });
    const text = await readCapped(res);
    if (text === undefined) return { ok: false, error: 'answer_too_large' };
    // The operator's credentials are hidden as the card numbers are: the answer may quote what it was sent.
    const hide = registeredValueHider(target.registeredHeaders);
    return { ok: true, status: res.status, headers: safeHeaders(res.headers, hide), body: text === '' ? null : maskCardNumbers(hide(text)) };
  } catch {
    return { ok: false, error: signal.aborted ? 'forward_timeout' : 'forward_failed' };
  }
}

/** The answer's text, or undefined past MAX_ANSWER_BYTES (then it is not read further). */
async function readCapped(res: Response): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
