// Headers every vault response carries; pages set their own stricter policy with a nonce.
import type { MiddlewareHandler } from 'hono';

const HEADERS = [
  ['X-Content-Type-Options', 'nosniff'],
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the vault's own
  // form posts and fetches, and the origin checks would refuse them.
  ['Referrer-Policy', 'same-origin'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cache-Control', 'no-store'],
] as const;

/** Node's response, which @hono/node-server hands the app as `env.outgoing`. */
interface Outgoing {
  headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

function outgoingOf(env: unknown): Outgoing | undefined {
  const outgoing = (env as { outgoing?: Partial<Outgoing> } | undefined)?.outgoing;
  return typeof outgoing?.setHeader === 'function' && outgoing.headersSent === false ? (outgoing as Outgoing) : undefined;
}

export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    // Served over Node, they go on Node's own response: Node merges them with the answer's headers when
    // it writes them, the answer's winning (a page's own policy), so they reach every answer, an error's
    // too. Set through Hono instead, any header makes Hono build the answer's headers as a web Headers,
    // which @hono/node-server then copies header by header: a tenth of a cheap read's CPU under load.
    const outgoing = outgoingOf(c.env);
    if (outgoing) for (const [name, value] of HEADERS) outgoing.setHeader(name, value);
    // Without Node (app.request), set before the handler runs, so they go into the response as it is
    // built (a page replaces the policy with its own): touching a finished response would make Hono copy it.
    else for (const [name, value] of HEADERS) c.header(name, value);
    await next();
  };
}
