// A vault killed (SIGKILL) while a real provider (Stripe, Adyen: their local servers) holds its
// merchant-initiated payment: arrived, not answered. Whether the provider then took the money (its
// answer goes nowhere) or dropped the request unperformed, the restarted vault answers the retried
// Idempotency-Key within the contract's 60 seconds with one succeeded charge: one payment at the
// provider for the reference, one charge recorded, and a further retry replays it.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import { createPgDatabase, describeEachDb, type DbTarget } from '../helpers/databases.ts';
import { startVaultProcess } from '../helpers/vault-process.ts';
import { startLocalProvider, type LocalProvider, type ProviderName } from '../helpers/provider-fixtures.ts';
import { CARDS } from '../helpers/test-cards.ts';

const CONTRACT_MS = 60_000;
const nextYear = new Date().getUTCFullYear() + 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  status: number;
  body: any;
  replayed: boolean;
}

interface Vault {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** What one test shares between the vault's two lives: its database, data directory, keys and provider. */
interface Shared {
  dataDir: string;
  databaseUrl?: string;
  vaultKeys: string;
  provider: LocalProvider;
  /** In-process, on the same database: creates the merchant and reads what was recorded. */
  runtime: VaultRuntime;
  merchant: CreatedMerchant;
  children: ChildProcess[];
  close(): Promise<void>;
}

async function share(target: DbTarget, name: ProviderName): Promise<Shared> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-crash-provider-'));
  const pgDb = target === 'postgres' ? await createPgDatabase() : undefined;
  const vaultKeys = `k1:${crypto.randomBytes(32).toString('base64')}`;
  const provider = await startLocalProvider(name);
  const runtime = await createRuntime({
    DATA_DIR: dataDir,
    DATABASE_URL: pgDb?.url,
    VAULT_KEYS: vaultKeys,
    PUBLIC_URL: 'http://vault.test',
    LOG_LEVEL: 'silent',
  });
  const merchant = await createMerchant(runtime.deps, { name: 'Crash shop', origins: ['http://shop.test'], webhookUrl: undefined });
  const children: ChildProcess[] = [];
  return {
    dataDir,
    databaseUrl: pgDb?.url,
    vaultKeys,
    provider,
    runtime,
    merchant,
    children,
    close: async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await runtime.close();
      await provider.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    },
  };
}

/** `npm run server` as a real process on the shared database, its provider at the local server. */
async function startVault(s: Shared): Promise<Vault> {
  const vault = await startVaultProcess(s, { PROCESSOR_BASE_URLS: `${s.provider.name}=${s.provider.url}` });
  s.children.push(vault.child);
  return vault;
}

async function kill(vault: Vault): Promise<void> {
  const exited = new Promise((resolve) =>
    vault.child.exitCode !== null || vault.child.signalCode !== null ? resolve(null) : vault.child.once('exit', resolve),
  );
  vault.child.kill('SIGKILL');
  await exited;
}

/** A request to a vault process, as the merchant's server makes it. */
async function call(vault: Vault, merchant: CreatedMerchant, url: string, body: unknown, key?: string): Promise<Reply> {
  const res = await fetch(`${vault.url}${url}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
  });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') === 'true' };
}

/** The merchant's payments go to the local provider, its secret key unthrottled for the retries. */
async function useProvider(s: Shared, vault: Vault): Promise<void> {
  const set = await call(vault, s.merchant, '/v1/merchant', { rate_limit: 0, processor: s.provider.settings });
  if (set.status !== 200) throw new Error(`processor not set: ${JSON.stringify(set.body)}`);
}

/** An imported card with an agreement recorded, its first network transaction id given: any number of charges a day. */
async function subscribe(s: Shared, vault: Vault, customer: string): Promise<{ card: string; mandate: string }> {
  const card = await call(vault, s.merchant, `/v1/customers/${customer}/cards`, { number: CARDS.visa, exp_month: 12, exp_year: nextYear + 1 });
  if (card.status !== 201) throw new Error(`card not imported: ${JSON.stringify(card.body)}`);
  const mandate = await call(vault, s.merchant, `/v1/customers/${customer}/mandates`, {
    card: card.body.token,
    min_amount: 100,
    max_amount: 10_000,
    currency: 'USD',
    frequency_days: 0,
    end_date: `${nextYear}-12-31`,
    consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z', network_transaction_id: '123456789012345' },
  });
  if (mandate.status !== 201) throw new Error(`mandate not recorded: ${JSON.stringify(mandate.body)}`);
  return { card: card.body.token, mandate: mandate.body.id };
}

/** Retries the key until it is no longer `409 request_in_progress`, at most until 60 s after the kill. */
async function retryUntilSettled(
  vault: Vault,
  merchant: CreatedMerchant,
  body: unknown,
  key: string,
  killedAt: number,
): Promise<{ settled?: Reply; answers: Reply[] }> {
  const answers: Reply[] = [];
  while (Date.now() < killedAt + CONTRACT_MS) {
    const reply = await call(vault, merchant, '/v1/charges', body, key);
    answers.push(reply);
    if (reply.status !== 409 || reply.body.error?.code !== 'request_in_progress') return { settled: reply, answers };
    await sleep(500);
  }
  return { answers };
}

// The four at once: each waits for the takeover of its keys on its own. Within each, one kill lands on
// both cases: a payment the provider will perform, and one it will drop unperformed.
describe.concurrent('a vault killed while a real provider holds its payment', () => {
  for (const name of ['stripe', 'adyen'] as ProviderName[]) {
    describeEachDb(`through ${name}`, (target) => {
      it('answers each retried key with one succeeded charge within 60 s: ' +
        'one payment at the provider, whether it took the money before or after the crash', async ({ expect }) => {
        const s = await share(target, name);
        try {
          const { db } = s.runtime.deps;
          const recorded = (customer: string) =>
            db.selectFrom('charges').selectAll().where('merchant_id', '=', s.merchant.id).where('customer', '=', customer).execute();
          const alive = await startVault(s);
          await useProvider(s, alive);
          // A customer each, so that neither waits for the other's lease.
          const cases = await Promise.all(
            [
              { when: 'performed after the crash', customer: 'cus_paid', performed: true },
              { when: 'dropped unperformed', customer: 'cus_unpaid', performed: false },
            ].map(async (c) => ({
              ...c,
              key: `crash-${name}-${target}-${c.customer}`,
              body: { customer: c.customer, ...(await subscribe(s, alive, c.customer)), amount: 1500, currency: 'USD' },
            })),
          );

          // Each charge reaches the provider, which holds it unanswered: the vault dies waiting for both.
          const inFlight: Array<Promise<Reply | undefined>> = [];
          const held = [];
          for (const c of cases) {
            const hold = s.provider.holdNextPayment();
            inFlight.push(call(alive, s.merchant, '/v1/charges', c.body, c.key).catch(() => undefined));
            await hold.arrived;
            held.push(hold);
          }
          await kill(alive);
          const killedAt = Date.now();
          expect(await Promise.all(inFlight), 'the killed vault answered nothing').toEqual([undefined, undefined]);
          for (const c of cases) expect(await recorded(c.customer)).toEqual([]);

          // Then the provider performs the first (it took the money; its answer goes nowhere) and drops the second.
          await held[0].perform();
          held[1].drop();
          expect(s.provider.paid()).toBe(1);

          const restarted = await startVault(s);
          const retried = await Promise.all(cases.map((c) => retryUntilSettled(restarted, s.merchant, c.body, c.key, killedAt)));
          for (const [i, c] of cases.entries()) {
            const { settled, answers } = retried[i];
            expect(settled, `${c.when}: no answer but 409 request_in_progress within 60 s of the kill\n${restarted.output.join('')}`).toBeDefined();
            for (const a of answers.slice(0, -1)) expect(a.replayed).toBe(false);

            // One succeeded charge, recorded once, for one payment at the provider under the key's reference.
            expect(settled, `${c.when}\n${restarted.output.join('')}`).toMatchObject({
              status: 201,
              replayed: false,
              body: { status: 'succeeded', amount: 1500, currency: 'USD', customer: c.customer, mandate: c.body.mandate },
            });
            const charges = await recorded(c.customer);
            expect(charges, c.when).toHaveLength(1);
            expect(charges[0], c.when).toMatchObject({ id: settled!.body.id, status: 'succeeded', amount: 1500 });
            const reference = charges[0].processor_ref!;
            expect(reference.startsWith(`idem:${s.merchant.id}:${c.key}@`), c.when).toBe(true);
            expect(s.provider.paidFor(reference), c.when).toBe(1);

            // A further retry is the same charge, replayed, and the provider is not asked to pay again.
            const again = await call(restarted, s.merchant, '/v1/charges', c.body, c.key);
            expect(again, c.when).toMatchObject({ status: 201, replayed: true });
            expect(again.body, c.when).toEqual(settled!.body);
            expect(s.provider.paidFor(reference), c.when).toBe(1);
            expect(await recorded(c.customer), c.when).toHaveLength(1);
          }
          expect(s.provider.paid()).toBe(2);
        } finally {
          await s.close();
        }
      }, 150_000);
    });
  }
});
