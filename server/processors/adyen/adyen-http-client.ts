// The HTTP client the Adyen library is given (its ClientInterface). The library's own client speaks
// only HTTPS to Adyen's hosts and has no base-URL setting for Checkout; this one keeps the path the
// library chose (/v72/payments, /v72/payments/{psp}/refunds, …) and sends it to the operator's
// PROCESSOR_BASE_URLS entry when there is one (an egress proxy, a local test server), under the
// vault's deadline, answering failures with the library's own error types.
//
// It is Node's http/https client on kept-alive connections, not fetch: on a local server fetch took
// about 160 µs of CPU per call against 40 µs (its Request, Response and stream objects), which was a
// fifth of the vault's time on a charge through Adyen. Redirects are not followed (an answer is Adyen's
// or it is not 2xx), as with fetch's `redirect: 'error'`.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type ClientInterface from '@adyen/api-library/lib/src/httpClient/clientInterface';
import type { IRequest } from '@adyen/api-library/lib/src/typings/requestOptions';
import type Config from '@adyen/api-library/lib/src/config';
import { ApiException, HttpClientException } from './adyen-library.ts';

/** Where a library URL goes: the same path and query on the base URL (keeping a path prefix of its own). */
export function targetUrl(endpoint: string, baseUrl: string | undefined, params?: IRequest.Options['params']): URL {
  const library = new URL(endpoint);
  const url = baseUrl ? new URL(baseUrl) : library;
  if (baseUrl) url.pathname = `${url.pathname.replace(/\/+$/, '')}${library.pathname}`;
  url.search = params ? new URLSearchParams(params as ConstructorParameters<typeof URLSearchParams>[0]).toString() : library.search;
  return url;
}

/**
 * One pool of kept-alive connections per scheme, shared by every merchant's client. An idle connection
 * is closed after 4 s (fetch's own pool's time), sooner when the server's Keep-Alive header says it
 * closes sooner, so few requests meet a connection the other side has just closed.
 */
const IDLE_MS = 4000;
const agents = { 'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }), 'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }) };
/** An answer larger than this is not Adyen's: the call fails rather than hold it in memory. */
const MAX_ANSWER_BYTES = 1 << 20;

interface Answer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The request went out on a kept-alive connection that the other side had closed, and nothing came back. */
class StaleConnection extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'StaleConnection';
  }
}

/**
 * Sends one request and reads the whole answer, or rejects: a `TimeoutError` once `timeoutMs` has
 * passed, a StaleConnection when a reused connection was reset before any answer.
 */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  timeoutMs: number,
  connection: 'pooled' | 'new' = 'pooled',
): Promise<Answer> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(Object.assign(new Error(url.protocol), { name: 'UnsupportedProtocol' }));
  return new Promise<Answer>((resolve, reject) => {
    // Why the vault gave up on the exchange, if it did: that, not the socket's own error, is the answer.
    let abandoned: Error | undefined;
    let answered = false;
    const fail = (err: Error & { code?: string }) => {
      if (abandoned) return reject(abandoned);
      const reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      reject(reset && req.reusedSocket && !answered ? new StaleConnection(err.code!) : err);
    };
    const abandon = (name: string) => {
      abandoned = Object.assign(new Error(name), { name });
      req.destroy(abandoned);
    };
    const req = client.request(
      url,
      { method, headers, agent: connection === 'new' ? false : agents[url.protocol as 'http:' | 'https:'] },
      (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) abandon('AnswerTooLarge');
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('answer cut off'), { name: 'AnswerCutOff' }));
        });
      },
    );
    // The whole exchange, not only the connection: an answer that never ends is abandoned too.
    const timer = setTimeout(() => abandon('TimeoutError'), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * The library's error for an answer that is not 2xx, built as its HttpURLConnectionClient builds it:
 * an Adyen error body (`status`, `errorCode`, `message`) becomes `apiError`.
 */
function httpError(res: Answer): Error {
  const body = res.body;
  const base = { statusCode: res.status, responseHeaders: res.headers, responseBody: body };
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && 'status' in parsed) {
      return new HttpClientException({
        ...base,
        message: `HTTP Exception: ${String(parsed.status)}. ${res.statusText}: ${String(parsed.message ?? '')}`,
        statusCode: Number(parsed.status) || res.status,
        errorCode: typeof parsed.errorCode === 'string' ? parsed.errorCode : undefined,
        apiError: parsed,
      });
    }
  } catch {
    // Not JSON: the generic form below.
  }
  return new HttpClientException({ ...base, message: `HTTP Exception: ${res.status}. ${res.statusText}` });
}

export class VaultAdyenHttpClient implements ClientInterface {
  constructor(private readonly options: { baseUrl?: string; timeoutMs: number }) {}

  async request(endpoint: string, json: string | Buffer, config: Config, isApiKeyRequired: boolean, requestOptions: IRequest.Options = {}): Promise<string> {
    if (isApiKeyRequired && !config.apiKey) throw new ApiException('Invalid X-API-Key was used', 401);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    if (config.apiKey) headers['X-API-Key'] = config.apiKey;
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    if (requestOptions.idempotencyKey) headers['Idempotency-Key'] = requestOptions.idempotencyKey;
    headers.Accept = 'application/json';
    headers['User-Agent'] = config.applicationName ?? 'card-vault';

    const timeoutMs = config.connectionTimeoutMillis ?? this.options.timeoutMs;
    const method = requestOptions.method ?? 'POST';
    const body = method === 'GET' || method === 'HEAD' ? undefined : json;
    const url = targetUrl(endpoint, this.options.baseUrl, requestOptions.params);
    const deadline = Date.now() + timeoutMs;
    let res: Answer;
    try {
      try {
        res = await exchange(url, method, headers, body, timeoutMs);
      } catch (err) {
        // A kept-alive connection closed by the other side as it was reused: asked once more on a new
        // connection (not another pooled one, which may be as stale), within the same deadline. Only
        // with an Idempotency-Key, so that if Adyen did act on the first request, the second gets its
        // answer instead of acting again.
        if (!(err instanceof StaleConnection) || !headers['Idempotency-Key']) throw err;
        res = await exchange(url, method, headers, body, Math.max(1, deadline - Date.now()), 'new');
      }
    } catch (err) {
      // No answer: the library's ApiException, naming only the kind of failure (never the request).
      const e = err as Error & { code?: string };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.code ?? e.name);
      throw new ApiException(`Adyen could not be reached: ${why}`);
    }
    if (res.status < 200 || res.status >= 300) throw httpError(res);
    return res.body;
  }
}
