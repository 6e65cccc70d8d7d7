// Reads a JSON body once, with the contract's errors for bodies that are too large or not JSON.
import { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { requestHeader } from './request-header.ts';

const MAX_BYTES = 1024 * 1024;

const limit = bodyLimit({
  maxSize: MAX_BYTES,
  onError: () => {
    throw new ApiError('body_too_large', 'The request body is larger than 1 MB');
  },
});

const tooLarge = () => new ApiError('body_too_large', 'The request body is larger than 1 MB');

/**
 * The body straight from Node's request stream, when the vault serves over @hono/node-server: the
 * same bytes as c.req.text(), without building a web Request and a web stream around them first.
 */
function readIncoming(incoming: IncomingMessage): Promise<string> {
  if (Number(incoming.headers['content-length'] ?? 0) > MAX_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) {
        incoming.removeAllListeners('data');
        incoming.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}

/** Reads the body once and leaves it where c.req.text() and c.req.json() find it. */
// biome-ignore lint/suspicious/noConfusingVoidType: the return type of Hono's middleware
async function readBody(c: Context<AppEnv>, then: (text: string) => Promise<void>): Promise<void | Response> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  // Only a stream nobody has started reading: otherwise Hono's own reader holds it.
  if (incoming instanceof IncomingMessage && incoming.readableFlowing === null && !incoming.readableEnded) {
    const text = await readIncoming(incoming);
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
    return then(text);
  }
  return limit(c, async () => then(await c.req.text()));
}

export function jsonBody(): MiddlewareHandler<AppEnv> {
  return async function jsonBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return readBody(c, async (text) => {
      // An empty body means no parameters, whatever its Content-Type says (curl -H 'Content-Type:
      // application/json' with no -d sends exactly that). The routes' validators parse the cached text.
      if (text.trim() === '') {
        (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
        c.req.bodyCache.json = Promise.resolve({});
        c.set('body', {});
        return next();
      }
      const type = (requestHeader(c, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
        throw new ApiError('body_not_json', 'Send the body as JSON with Content-Type: application/json');
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError('body_not_json', 'The request body is not valid JSON');
      }
      // Refused on both databases alike (PostgreSQL cannot store it, SQLite would).
      if (text.includes('\\u0000')) throw new ApiError('parameter_invalid', 'A parameter contains a NUL character');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError('body_not_json', 'The request body must be a JSON object');
      }
      c.set('body', body as Record<string, unknown>);
      await next();
    });
  };
}
