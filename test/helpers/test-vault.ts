// A real vault for a test file: the real app on a real database (a SQLite file in a temporary
// directory, or a PostgreSQL database of its own), with its log lines captured and a settable clock.
import type { SyncFile } from '../../server/db/sqlite-group-commit.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../server/logger.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import type { AuthorizeRequest } from '../../server/payments/processor.ts';
import type { ProcessorBaseUrls } from '../../server/env.ts';
import { createRuntime, type LimitsEnv, type VaultRuntime } from '../../server/vault-runtime.ts';
import { createPgDatabase, type DbTarget } from './databases.ts';
import { CARDS, newCard } from './test-cards.ts';

export const VAULT = 'http://vault.test';
export const SHOP = 'http://shop.test';
/** A live merchant's pages are on https (server/merchants/merchant-origins.ts). */
export const LIVE_SHOP = 'https://shop.test';

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestVault {
  runtime: VaultRuntime;
  dataDir: string;
  /** KEY_FILE: where the generated key ring lives when no vaultKeys were given, outside dataDir. */
  keyFile: string;
  /** The PostgreSQL database's URL, on that target. */
  databaseUrl?: string;
  /** VAULT_KEYS, when the vault was started with them (else its key ring is the key file). */
  vaultKeys?: string;
  logs: string[];
  merchant: CreatedMerchant;
  /** Moves the vault's clock; `undefined` returns to real time. */
  setNow(date: Date | undefined): void;
  api<T = any>(method: string, path: string, options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Reply<T>>;
  frame<T = any>(path: string, clientSecret: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  newMerchant(options?: { group?: string; origins?: string[] }): Promise<CreatedMerchant>;
  /**
   * Stops this runtime and starts another on the same data directory, database and key file (a
   * restart), with the same merchant; options given replace the first ones. Use only the new vault
   * afterwards: its close() drops the storage.
   */
  reopen(options?: { vaultKeys?: string }): Promise<TestVault>;
  close(): Promise<void>;
}

/** An operator who lets merchants lift the fields' limits (frame_limit_per_address 0): for test files whose many requests are not about limits. */
export const LIFTABLE_LIMITS: LimitsEnv = { FIELDS_MAX_PER_ADDRESS: Infinity, FIELDS_MAX_PER_MERCHANT: Infinity };

export async function startTestVault(
  target: DbTarget,
  options: {
    vaultKeys?: string /** ALLOW_PRIVATE_WEBHOOKS: webhooks may go to local receivers. */;
    allowPrivateWebhooks?: boolean /** The operator's limit settings; unset, the production defaults. */;
    limits?: LimitsEnv /** PROCESSOR_BASE_URLS: where the connectors reach their (local) provider servers. */;
    processorBaseUrls?: ProcessorBaseUrls /** PROCESSOR_TIMEOUT_MS. */;
    processorTimeoutMs?: number /** PUBLIC_URL; default http://vault.test. */;
    publicUrl?: string;
    /** SQLite's log sync; by default the real fdatasync. */
    syncWal?: SyncFile;
    /** Told when SQLite's log could not be synced. */
    onSyncFailure?: (err: Error) => void;
  } = {},
  reused?: { dataDir: string; pgDb?: Awaited<ReturnType<typeof createPgDatabase>>; merchant: CreatedMerchant },
): Promise<TestVault> {
  const dataDir = reused?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vault-test-'));
  const keyFile = `${dataDir}.key`;
  const pgDb = reused ? reused.pgDb : target === 'postgres' ? await createPgDatabase() : undefined;
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } as any });
  const runtime = await createRuntime(
    {
      DATA_DIR: dataDir,
      KEY_FILE: keyFile,
      DATABASE_URL: pgDb?.url,
      VAULT_KEYS: options.vaultKeys,
      PUBLIC_URL: options.publicUrl ?? VAULT,
      LOG_LEVEL: 'debug',
      ALLOW_PRIVATE_WEBHOOKS: options.allowPrivateWebhooks,
      PROCESSOR_BASE_URLS: options.processorBaseUrls,
      PROCESSOR_TIMEOUT_MS: options.processorTimeoutMs,
      ...options.limits,
    },
    { logger, syncWal: options.syncWal, onSyncFailure: options.onSyncFailure },
  );
  const base = options.publicUrl ?? VAULT;
  let now: Date | undefined;
  runtime.deps.clock = () => now ?? new Date();
  const newMerchant: TestVault['newMerchant'] = (o = {}) =>
    createMerchant(runtime.deps, { name: 'Test shop', origins: o.origins ?? [SHOP], groupId: o.group, webhookUrl: undefined });
  const merchant = reused?.merchant ?? (await newMerchant());

  const request = async (method: string, url: string, init: { headers: Record<string, string>; body?: string }): Promise<Reply> => {
    const res = await runtime.app.request(url, { method, headers: init.headers, body: init.body }, {
      incoming: { socket: { remoteAddress: '127.0.0.1' } },
    } as any);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: pages */
    }
    return { status: res.status, body, text, headers: res.headers };
  };

  let stopped = false;
  const stopRuntime = async () => {
    if (!stopped) await runtime.close();
    stopped = true;
  };

  return {
    runtime,
    dataDir,
    keyFile,
    databaseUrl: pgDb?.url,
    vaultKeys: options.vaultKeys,
    logs,
    merchant,
    setNow: (d) => {
      now = d;
    },
    api: (method, p, o = {}) => {
      const headers: Record<string, string> = { ...(o.key === '' ? {} : { authorization: `Bearer ${o.key ?? merchant.secret_key}` }), ...o.headers };
      let body = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      return request(method, `${base}${p}`, { headers, body });
    },
    frame: (p, clientSecret, body, headers = {}) =>
      request('POST', `${base}${p}`, {
        headers: { origin: base, 'checkout-host-origin': SHOP, authorization: `Bearer ${clientSecret}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body ?? {}),
      }),
    newMerchant,
    reopen: async (o = {}) => {
      await stopRuntime();
      return startTestVault(target, { ...options, ...o }, { dataDir, pgDb, merchant });
    },
    close: async () => {
      await stopRuntime();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(keyFile, { force: true });
    },
  };
}

export { CARDS, newCard } from './test-cards.ts';

/**
 * A shop of its own (in `group`, or a group of its own) whose secret-key rate limit is lifted, with
 * `settings` applied, and an `api` bound to its secret key: each test case works in its own account.
 */
export async function newShop(v: TestVault, options: { group?: string; settings?: Record<string, unknown> } = {}) {
  const m = await v.newMerchant({ group: options.group });
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => v.api(method, path, { key: m.secret_key, body, headers });
  const set = await api('POST', '/v1/merchant', { rate_limit: 0, ...options.settings });
  if (set.status !== 200) throw new Error(`shop settings refused: ${set.text}`);
  return { ...m, api };
}
export type Shop = Awaited<ReturnType<typeof newShop>>;

/** A mandate the shop records for a consent the customer gave elsewhere (by phone): its id. `terms`: amounts, frequency, end date. */
export async function recordMandate(s: Shop, customer: string, card: string, terms: Record<string, unknown>, currency = 'USD'): Promise<string> {
  const res = await s.api('POST', `/v1/customers/${customer}/mandates`, {
    card,
    ...terms,
    currency,
    consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z' },
  });
  if (res.status !== 201) throw new Error(`mandate not recorded: ${res.text}`);
  return res.body.id as string;
}

/** Records every authorisation the processor is asked for (a copy), on its way to the real processor. */
export function recordAuthorizations(v: TestVault): AuthorizeRequest[] {
  const calls: AuthorizeRequest[] = [];
  const processor = v.runtime.deps.processor;
  const real = processor.authorize.bind(processor);
  processor.authorize = async (request) => {
    calls.push({ ...request, card: { ...request.card } });
    return real(request);
  };
  return calls;
}

/** Creates a session with the merchant's secret key and returns its client secret and id. */
export async function openSession(v: TestVault, body: Record<string, unknown> = {}, key?: string) {
  const res = await v.api('POST', '/v1/sessions', { key, body: { amount: 1999, currency: 'USD', ...body } });
  if (res.status !== 201) throw new Error(`session not created: ${res.text}`);
  return { id: res.body.id as string, secret: res.body.client_secret as string };
}

/** Pays with a new card and saves it: the customer has a one-click card afterwards. */
export async function saveCardFor(v: TestVault, customer: string, number: string = CARDS.visa) {
  const s = await openSession(v, { customer });
  const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(number), save: true });
  if (res.status !== 200) throw new Error(`card not saved: ${res.text}`);
  return res.body.card.token as string;
}
