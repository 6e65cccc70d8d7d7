// A vault killed (SIGKILL) while it holds a customer's charge lease, with merchant-initiated charges of
// that customer in flight (sent 16 at a time): restarted, it answers every retried key with its settled result within
// the contract's 60 seconds, never replays a 409, and never charges twice. And a holder whose lease was
// taken over (it stalled, another instance took the customer) records nothing over the newer holder.
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
import { CARDS } from '../helpers/test-cards.ts';

const CONTRACT_MS = 60_000;
const MAX_BATCHES = 20;
const nextYear = new Date().getUTCFullYear() + 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  status: number;
  body: any;
  replayed: boolean;
}

/** A database and data directory shared by the instances of one test, and an in-process runtime on them. */
interface Shared {
  dataDir: string;
  databaseUrl?: string;
  vaultKeys: string;
  runtime: VaultRuntime;
  merchant: CreatedMerchant;
  close(): Promise<void>;
}

async function share(target: DbTarget): Promise<Shared> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-crash-'));
  const pgDb = target === 'postgres' ? await createPgDatabase() : undefined;
  const vaultKeys = `k1:${crypto.randomBytes(32).toString('base64')}`;
  const runtime = await open({ dataDir, databaseUrl: pgDb?.url, vaultKeys });
  const merchant = await createMerchant(runtime.deps, { name: 'Crash shop', origins: ['http://shop.test'], webhookUrl: undefined });
  return {
    dataDir,
    databaseUrl: pgDb?.url,
    vaultKeys,
    runtime,
    merchant,
    close: async () => {
      await runtime.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    },
  };
}

function open(s: { dataDir: string; databaseUrl?: string; vaultKeys: string }): Promise<VaultRuntime> {
  return createRuntime({ DATA_DIR: s.dataDir, DATABASE_URL: s.databaseUrl, VAULT_KEYS: s.vaultKeys, PUBLIC_URL: 'http://vault.test', LOG_LEVEL: 'silent' });
}

/** A request through an in-process instance, as the merchant's server makes it. */
async function call(runtime: VaultRuntime, merchant: CreatedMerchant, method: string, url: string, body: unknown, key?: string): Promise<Reply> {
  const res = await runtime.app.request(
    `http://vault.test${url}`,
    {
      method,
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    },
    { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as never,
  );
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') === 'true' };
}

/** An imported card with an agreement recorded through the API: any number of charges a day. */
async function subscribe(s: Shared, customer: string): Promise<{ card: string; mandate: string }> {
  await call(s.runtime, s.merchant, 'POST', '/v1/merchant', { rate_limit: 0 });
  const card = await call(s.runtime, s.merchant, 'POST', `/v1/customers/${customer}/cards`, { number: CARDS.visa, exp_month: 12, exp_year: nextYear + 1 });
  if (card.status !== 201) throw new Error(`card not imported: ${JSON.stringify(card.body)}`);
  const mandate = await call(s.runtime, s.merchant, 'POST', `/v1/customers/${customer}/mandates`, {
    card: card.body.token,
    min_amount: 100,
    max_amount: 10_000,
    currency: 'USD',
    frequency_days: 0,
    end_date: `${nextYear}-12-31`,
    consent: { text: 'Agreed by phone', accepted_at: '2024-01-01T00:00:00Z', network_transaction_id: 'ntid_agreed' },
  });
  if (mandate.status !== 201) throw new Error(`mandate not recorded: ${JSON.stringify(mandate.body)}`);
  return { card: card.body.token, mandate: mandate.body.id };
}

/** `npm run server` as a real process on the shared database. */
const startVault = (s: Shared) => startVaultProcess(s);

async function post(url: string, merchant: CreatedMerchant, key: string, body: unknown): Promise<Reply> {
  const res = await fetch(`${url}/v1/charges`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json', 'idempotency-key': key },
  });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') === 'true' };
}

// The two databases run at once: each waits for the takeover on its own.
describe.concurrent('a vault that dies while it holds a customer', () => {
  describeEachDb('killed mid-charge', (target) => {
    it('settles every key in flight within 60 seconds of the kill, never replays a 409, never charges twice', async ({ expect }) => {
      const s = await share(target);
      const children: ChildProcess[] = [];
      try {
        const customer = 'hostage';
        const { card, mandate } = await subscribe(s, customer);
        const { db } = s.runtime.deps;
        const lease = `charge:${s.merchant.group}:${customer}`;
        const keys: string[] = [];
        const bodyOf = (i: number) => ({ customer, card, mandate, amount: 1000 + i, currency: 'USD' });
        // Each key's processor reference: the key, in this life of it (`@` the time it was first stored).
        const isRefOf = (reference: string, k: string) => reference.startsWith(`idem:${s.merchant.id}:${k}@`);
        const ledger = () => db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `idem:${s.merchant.id}:crash-${target}-%`).execute();
        const recordedCharges = () => db.selectFrom('charges').selectAll().where('merchant_id', '=', s.merchant.id).where('customer', '=', customer).execute();

        const first = await startVault(s);
        children.push(first.child);
        // 16 charges of the customer at once, queued behind each other by the lease; another 16 when
        // those are all answered and no freeze has landed in an approval's window yet.
        const inFlight: Promise<Reply | undefined>[] = [];
        let batchAnswered = true;
        const sendBatch = () => {
          batchAnswered = false;
          const batch = Array.from({ length: 16 }, () => {
            const i = keys.push(`crash-${target}-${keys.length}`) - 1;
            return post(first.url, s.merchant, keys[i], bodyOf(i)).catch(() => undefined);
          });
          inFlight.push(...batch);
          Promise.all(batch).then(() => (batchAnswered = true));
        };

        // Frozen (SIGSTOP) while the database is read, so what is read is the state the kill lands on:
        // the lease held, and a charge the processor approved that the vault has not recorded yet (the
        // others queued behind it). A transaction it left open is rolled back when it dies, and was
        // invisible to the read.
        // The window between the processor's approval and its record is a fraction of each charge: the
        // child is frozen as often as possible (it runs only while one read is made between two
        // freezes), so that some freeze lands in it. On SQLite a frozen child's commits are all visible
        // at once; in PostgreSQL a statement it sent before it froze still completes: that one is let
        // finish.
        const settleFrozen = target === 'postgres' ? () => sleep(50) : () => Promise.resolve();
        const nextTry = target === 'postgres' ? () => sleep(1) : () => new Promise((resolve) => setImmediate(resolve));
        let atKill: { holder: string; until: string; killedAt: number } | undefined;
        const seen = { batches: 0, freezes: 0, recorded: 0 };
        for (const deadline = Date.now() + 30_000; !atKill && Date.now() < deadline; await nextTry()) {
          // At most 20 batches (320 keys): the amounts, 1000 plus the key's number, stay within the mandate.
          if (batchAnswered && seen.batches < MAX_BATCHES) {
            sendBatch();
            seen.batches++;
          }
          if (!(await db.selectFrom('leases').select('name').where('name', '=', lease).executeTakeFirst())) continue;
          first.child.kill('SIGSTOP');
          seen.freezes++;
          await settleFrozen();
          const held = await db.selectFrom('leases').selectAll().where('name', '=', lease).executeTakeFirst();
          const recorded = (await recordedCharges()).length;
          const approved = (await ledger()).length;
          seen.recorded = recorded;
          if (held && approved > recorded) {
            first.child.kill('SIGKILL');
            atKill = { holder: held.holder, until: held.until, killedAt: Date.now() };
          } else {
            first.child.kill('SIGCONT');
          }
        }
        if (!atKill) {
          const what = `${seen.batches} batches of 16, ${seen.freezes} freezes, ${seen.recorded} charges recorded`;
          throw new Error(`the kill never landed while the lease was held over an unrecorded approval (${what}):\n${first.output.join('')}`);
        }
        await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve)));
        const answeredBeforeKill = await Promise.all(inFlight);

        // The dead holder's lease is still there, and lapses within the contract's window.
        const orphan = await db.selectFrom('leases').selectAll().where('name', '=', lease).executeTakeFirstOrThrow();
        expect(orphan.holder).toBe(atKill.holder);
        expect(Date.parse(orphan.until) - atKill.killedAt).toBeLessThanOrEqual(CONTRACT_MS);

        const second = await startVault(s);
        children.push(second.child);
        const answers: Reply[] = [];
        const settled = new Map<number, Reply>();
        while (settled.size < keys.length && Date.now() < atKill.killedAt + CONTRACT_MS + 5_000) {
          const round = await Promise.all(
            keys.map(async (k, i) => (settled.has(i) ? undefined : { i, reply: await post(second.url, s.merchant, k, bodyOf(i)) })),
          );
          for (const r of round) {
            if (!r) continue;
            answers.push(r.reply);
            if (r.reply.status !== 409) settled.set(r.i, r.reply);
          }
          if (settled.size < keys.length) await sleep(500);
        }

        // A 409 only while the dead holder may still be alive, and never stored as the key's answer.
        for (const a of answers.filter((r) => r.status === 409)) {
          expect(a.body.error.code).toBe('request_in_progress');
          expect(a.replayed).toBe(false);
        }
        expect(settled.size, `settled ${settled.size} of ${keys.length} keys within 60 s of the kill`).toBe(keys.length);

        // One processor approval and one charge per key, each of its own amount; the answers name them.
        const charges = await recordedCharges();
        const approvals = await ledger();
        expect(charges).toHaveLength(keys.length);
        expect(approvals).toHaveLength(keys.length);
        for (const [i, k] of keys.entries()) {
          const charge = charges.find((c) => isRefOf(c.processor_ref!, k))!;
          expect(charge).toMatchObject({ amount: 1000 + i, status: 'succeeded' });
          expect(JSON.parse(approvals.find((a) => isRefOf(a.reference, k))!.result).outcome).toBe('approved');
          expect(settled.get(i)).toMatchObject({ status: 201, body: { id: charge.id, amount: 1000 + i } });
          const before = answeredBeforeKill[i];
          // Answered before the kill: its charge, or (queued behind the frozen holder past 15 s) a 409 that
          // was not stored as the key's answer, since the retry above settled it.
          if (before?.status === 409) expect(before).toMatchObject({ replayed: false, body: { error: { code: 'request_in_progress' } } });
          else if (before) expect(before).toMatchObject({ status: 201, body: { id: charge.id } });
        }
        expect(await db.selectFrom('leases').selectAll().where('name', '=', lease).execute()).toEqual([]);
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await s.close();
      }
    }, 180_000);

    it('keeps a holder whose lease was taken over from recording its charge over the newer holder', async ({ expect }) => {
      const s = await share(target);
      // A second instance on the same database.
      const other = await open(s);
      try {
        const customer = 'fenced';
        const { card, mandate } = await subscribe(s, customer);
        const { db } = s.runtime.deps;
        const lease = `charge:${s.merchant.group}:${customer}`;
        const charge = (runtime: VaultRuntime, key: string, amount: number) =>
          call(runtime, s.merchant, 'POST', '/v1/charges', { customer, card, mandate, amount, currency: 'USD' }, key);
        const chargesOf = (key: string) => db.selectFrom('charges').selectAll().where('processor_ref', 'like', `idem:${s.merchant.id}:${key}@%`).execute();

        // The other instance's charge waits at the processor until told to go on.
        const otherProcessor = other.deps.processor;
        const otherAuthorize = otherProcessor.authorize.bind(otherProcessor);
        let goOn!: () => void;
        const gate = new Promise<void>((resolve) => (goOn = resolve));
        let reached!: () => void;
        const otherHoldsLease = new Promise<void>((resolve) => (reached = resolve));
        otherProcessor.authorize = async (request) => {
          reached();
          await gate;
          return otherAuthorize(request);
        };

        const processor = s.runtime.deps.processor;
        const authorize = processor.authorize.bind(processor);
        let authorizations = 0;
        let newer: Promise<Reply> | undefined;
        processor.authorize = async (request) => {
          authorizations++;
          const result = await authorize(request);
          // This instance stalls here past its lease: the lease lapses, and the other instance takes
          // the customer for a charge of its own.
          await db
            .updateTable('leases')
            .set({ until: new Date(Date.now() - 1000).toISOString() })
            .where('name', '=', lease)
            .execute();
          newer = charge(other, 'fence-newer', 600);
          await otherHoldsLease;
          return result;
        };

        const late = await charge(s.runtime, 'fence-late', 500);
        expect(late.status).toBe(500);
        expect(late.body.error.code).toBe('internal');
        expect(await chargesOf('fence-late')).toEqual([]);
        // The newer holder still holds the customer: the late one released nothing of it.
        expect(await db.selectFrom('leases').select('name').where('name', '=', lease).execute()).toHaveLength(1);

        goOn();
        const newerReply = await newer!;
        expect(newerReply).toMatchObject({ status: 201, body: { amount: 600 } });

        // The late request's retry settles what the processor approved, from its ledger: once.
        const retry = await charge(s.runtime, 'fence-late', 500);
        expect(retry).toMatchObject({ status: 201, replayed: false, body: { amount: 500, status: 'succeeded' } });
        expect(await chargesOf('fence-late')).toHaveLength(1);
        expect(await chargesOf('fence-newer')).toHaveLength(1);
        expect(authorizations).toBe(1);
      } finally {
        await other.close();
        await s.close();
      }
    });
  });
});
