// The shop server's client of the vault's HTTP API. It alone holds the secret key, and it runs only
// on the server: nothing here is ever sent to a browser.
import type { CardView, ChargeView, InvoiceView, MandateView, MerchantView, SchedulerRun, SessionCreate, SessionView } from '../protocol/api.ts';
import type { MessageView } from '../protocol/api.ts';

export interface VaultErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
  /** A card_error from the processor: the issuer's reason. */
  decline_code?: string;
  /** A declined charge is recorded: its id. */
  charge?: string;
}

/** A customer message as `GET /v1/messages` lists it (the outbox the demo shows). */
export type { MessageView } from '../protocol/api.ts';

export interface ChargeCreateInput {
  customer: string;
  card: string;
  amount: number;
  currency: string;
  mandate: string;
  order?: string;
}

export interface InvoiceCreateInput {
  customer: string;
  amount: number;
  currency: string;
  due_date: string;
  description?: string;
  auto_pay: boolean;
}

type List<T> = { data: T[]; has_more?: boolean };

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

  async function call<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${options.secretKey}`, accept: 'application/json' };
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
  const query = (params: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    const text = q.toString();
    return text ? `?${text}` : '';
  };

  return {
    /** The vault's public origin as pages load it (checkout.js, the fields' iframe). */
    url: base,
    createSession: (input: SessionCreate) => call<SessionView & { client_secret: string }>('POST', '/v1/sessions', input),
    getSession: (id: string) => call<SessionView>('GET', `/v1/sessions/${encodeURIComponent(id)}`),
    listCards: (customer: string) => call<{ data: CardView[] }>('GET', `${customerPath(customer)}/cards`),
    makeDefault: (customer: string, token: string) => call<CardView>('POST', `${customerPath(customer)}/cards/${encodeURIComponent(token)}`, { default: true }),
    deleteCard: (customer: string, token: string) =>
      call<{ token: string; deleted: true }>('DELETE', `${customerPath(customer)}/cards/${encodeURIComponent(token)}`),
    getMerchant: () => call<MerchantView>('GET', '/v1/merchant'),
    listMandates: (customer: string) => call<{ data: MandateView[] }>('GET', `${customerPath(customer)}/mandates`),
    cancelMandate: (id: string) => call<MandateView>('DELETE', `/v1/mandates/${encodeURIComponent(id)}`),
    /** A merchant-initiated charge; the key makes a repeat of the same request return the first result. */
    createCharge: (input: ChargeCreateInput, idempotencyKey: string) => call<ChargeView>('POST', '/v1/charges', input, { 'idempotency-key': idempotencyKey }),
    getCharge: (id: string) => call<ChargeView>('GET', `/v1/charges/${encodeURIComponent(id)}`),
    listCharges: (customer: string, limit = 10) => call<List<ChargeView>>('GET', `/v1/charges${query({ customer, limit })}`),
    createInvoice: (input: InvoiceCreateInput) => call<InvoiceView>('POST', '/v1/invoices', input),
    listInvoices: (customer: string, limit = 20) => call<List<InvoiceView>>('GET', `/v1/invoices${query({ customer, limit })}`),
    runScheduler: () => call<SchedulerRun>('POST', '/v1/scheduler/run', {}),
    listMessages: (customer?: string, limit = 50) => call<List<MessageView>>('GET', `/v1/messages${query({ customer, limit })}`),
  };
}
