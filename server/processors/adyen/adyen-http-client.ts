// The HTTP client the Adyen library is given (its ClientInterface). The library's own client speaks
// only HTTPS to Adyen's hosts and has no base-URL setting for Checkout; this one keeps the path the
// library chose (/v72/payments, /v72/payments/{psp}/refunds, …) and sends it to the operator's
// PROCESSOR_BASE_URLS entry when there is one (an egress proxy, a local test server), under the
// vault's deadline, answering failures with the library's own error types.
import type { IncomingHttpHeaders } from 'node:http';
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

function headersOf(res: Response): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * The library's error for an answer that is not 2xx, built as its HttpURLConnectionClient builds it:
 * an Adyen error body (`status`, `errorCode`, `message`) becomes `apiError`.
 */
function httpError(res: Response, body: string): Error {
  const base = { statusCode: res.status, responseHeaders: headersOf(res), responseBody: body };
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
    let res: Response;
    let body: string;
    try {
      res = await fetch(targetUrl(endpoint, this.options.baseUrl, requestOptions.params), {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : typeof json === 'string' ? json : new Uint8Array(json),
        redirect: 'error',
        // The whole exchange, not only the connection: an answer that never ends is abandoned too.
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await res.text();
    } catch (err) {
      // No answer: the library's ApiException, naming only the kind of failure (never the request).
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.name);
      throw new ApiException(`Adyen could not be reached: ${why}`);
    }
    if (res.status < 200 || res.status >= 300) throw httpError(res, body);
    return body;
  }
}
