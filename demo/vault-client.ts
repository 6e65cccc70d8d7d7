// The shop server's client of the vault's HTTP API. It alone holds the secret key, and it runs only
// on the server: nothing here is ever sent to a browser.
import type { CardView, SessionCreate, SessionView } from '../protocol/api.ts';

export interface VaultErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
}

/** A vault answer that was not 2xx, or a vault that could not be reached (status 0). */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly error: VaultErrorBody,
  ) {
    super(error.message);
    this.name = 'VaultError';
  }
}

export interface VaultClientOptions {
  vaultUrl: string;
  secretKey: string;
  fetch?: typeof fetch;
}

export type VaultClient = ReturnType<typeof createVaultClient>;

export function createVaultClient(options: VaultClientOptions) {
  const base = options.vaultUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.secretKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new VaultError(0, { type: 'api_error', code: 'vault_unreachable', message: `The card vault at ${base} cannot be reached` });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = (parsed as { error?: VaultErrorBody } | undefined)?.error;
      throw new VaultError(res.status, error ?? { type: 'api_error', code: 'unexpected_response', message: `The card vault answered ${res.status}` });
    }
    return parsed as T;
  }

  const customerPath = (customer: string) => `/v1/customers/${encodeURIComponent(customer)}`;

  return {
    /** The vault's public origin as pages load it (checkout.js, the fields' iframe). */
    url: base,
    createSession: (input: SessionCreate) => call<SessionView & { client_secret: string }>('POST', '/v1/sessions', input),
    getSession: (id: string) => call<SessionView>('GET', `/v1/sessions/${encodeURIComponent(id)}`),
    listCards: (customer: string) => call<{ data: CardView[] }>('GET', `${customerPath(customer)}/cards`),
    makeDefault: (customer: string, token: string) => call<CardView>('POST', `${customerPath(customer)}/cards/${encodeURIComponent(token)}`, { default: true }),
    deleteCard: (customer: string, token: string) => call<{ token: string; deleted: true }>('DELETE', `${customerPath(customer)}/cards/${encodeURIComponent(token)}`),
  };
}
