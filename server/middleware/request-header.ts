// A request header as c.req.header(name) gives it, read from Node's own parsed request when the vault is
// served by Node: Hono's first c.req.header() builds a web Headers of every header the request carries,
// which under load cost the cards list a tenth of its CPU.
import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** Node's own request, when the vault is served by Node (not for an in-process call). */
function incomingOf(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

/** Repeated headers come joined by ', ', as a web Headers joins them. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (!incoming) return c.req.header(name);
  return incoming.headersDistinct[name.toLowerCase()]?.join(', ');
}

/**
 * Whether the request carries the header more than once. Only Node's own parse can tell: a web Request
 * (an in-process call) has them joined already, and counts as once.
 */
export function headerRepeated(c: Context, name: string): boolean {
  return (incomingOf(c)?.headersDistinct[name.toLowerCase()]?.length ?? 0) > 1;
}
