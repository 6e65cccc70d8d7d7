// Two vault instances on one database run scheduler passes at the same time: every due invoice is
// charged exactly once that day, whichever instance gets to it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SchedulerRun } from '../../protocol/api.ts';
import { runSchedulerPass } from '../../server/jobs/scheduler.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import { createPgDatabase, describeEachDb, type DbTarget } from '../helpers/databases.ts';
import { CARDS, SHOP, VAULT, newCard } from '../helpers/test-vault.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSES = 5;

/**
 * The second instance is a process of its own, as in production: better-sqlite3 is synchronous, so
 * two connections in one thread would wait on each other's locks with the whole thread asleep. It
 * opens a runtime on the first one's database (same DATA_DIR: SQLite file and key file; same
 * DATABASE_URL), says `ready`, and on each `go` runs its passes at once and prints their summaries.
 */
// The second instance's createRuntime options, as source code.
const TWIN_OPTIONS =
  '{ DATA_DIR: process.env.TWIN_DATA_DIR, DATABASE_URL: process.env.TWIN_DATABASE_URL || undefined, ' +
  `PUBLIC_URL: ${JSON.stringify(VAULT)}, LOG_LEVEL: 'silent' }`;
const SECOND_INSTANCE = `
import readline from 'node:readline';
import { createRuntime } from ${JSON.stringify(path.join(ROOT, 'server/vault-runtime.ts'))};
import { runSchedulerPass } from ${JSON.stringify(path.join(ROOT, 'server/jobs/scheduler.ts'))};
const runtime = await createRuntime(${TWIN_OPTIONS});
console.log('ready');
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line !== 'go') break;
  console.log(JSON.stringify(await Promise.all(Array.from({ length: ${PASSES} }, () => runSchedulerPass(runtime.deps)))));
}
await runtime.close();
process.exit(0);
`;

function startSecondInstance(dataDir: string, databaseUrl: string | undefined) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SECOND_INSTANCE], {
    cwd: ROOT,
    env: { ...process.env, TWIN_DATA_DIR: dataDir, TWIN_DATABASE_URL: databaseUrl ?? '' },
  });
  let out = '';
  let err = '';
  const lines: ((line: string) => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      lines.shift()?.(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      lines.push(resolve);
      child.once('exit', (code) => reject(new Error(`second instance exited (${code}): ${err}`)));
    });
  return {
    ready: nextLine(),
    async run(): Promise<SchedulerRun[]> {
      const result = nextLine();
      child.stdin.write('go\n');
      return JSON.parse(await result);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill(), 5000).unref();
      }),
  };
}

/** The first instance in this process, on a fresh database, with what the second needs to join it. */
async function openFirstInstance(target: DbTarget) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-instances-'));
  const pgDb = target === 'postgres' ? await createPgDatabase() : undefined;
  const runtime = await createRuntime({ DATA_DIR: dataDir, DATABASE_URL: pgDb?.url, VAULT_KEYS: undefined, PUBLIC_URL: VAULT, LOG_LEVEL: 'silent' });
  return {
    runtime,
    dataDir,
    databaseUrl: pgDb?.url,
    close: async () => {
      await runtime.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.key`, { force: true });
    },
  };
}

async function call(runtime: VaultRuntime, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await runtime.app.request(
    `${VAULT}${url}`,
    { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) },
    { incoming: { socket: { remoteAddress: '127.0.0.1' } } } as any,
  );
  return { status: res.status, body: (await res.json()) as any };
}

describeEachDb('the scheduler on two instances of one database', (target) => {
  let first: Awaited<ReturnType<typeof openFirstInstance>>;
  let second: ReturnType<typeof startSecondInstance>;
  let merchant: CreatedMerchant;
  const invoices: string[] = [];
  const due = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    first = await openFirstInstance(target);
    second = startSecondInstance(first.dataDir, first.databaseUrl);
    const a = first.runtime;
    merchant = await createMerchant(a.deps, { name: 'Two instances', origins: [SHOP] });
    const secret = { authorization: `Bearer ${merchant.secret_key}` };
    await call(a, 'POST', '/v1/merchant', secret, { rate_limit: 0 });
    const endDate = `${new Date().getUTCFullYear() + 1}-12-31`;
    for (let i = 0; i < 4; i++) {
      const customer = `twin-${i}`;
      const session = await call(a, 'POST', '/v1/sessions', secret, {
        mode: 'setup',
        customer,
        currency: 'USD',
        recurring: { min_amount: 100, max_amount: 10_000, frequency_days: 0, end_date: endDate },
      });
      const confirmed = await call(
        a,
        'POST',
        '/frame/v1/confirm',
        { origin: VAULT, 'checkout-host-origin': SHOP, authorization: `Bearer ${session.body.client_secret}` },
        { card: newCard(i % 2 ? CARDS.mastercard : CARDS.visa), save: true, consent_text: 'I agree' },
      );
      expect(confirmed.status).toBe(200);
      // Two invoices for each customer: the instances also meet on one customer's charges.
      for (const amount of [1000 + i, 2000 + i]) {
        const inv = await call(a, 'POST', '/v1/invoices', secret, { customer, amount, currency: 'USD', due_date: due });
        expect(inv.status).toBe(201);
        invoices.push(inv.body.id);
      }
    }
    await second.ready;
  });
  afterAll(async () => {
    await second?.stop();
    await first?.close();
  });

  /** Five passes in this instance and five in the other, all at once. */
  const bothAtOnce = async () => {
    const [here, there] = await Promise.all([Promise.all(Array.from({ length: PASSES }, () => runSchedulerPass(first.runtime.deps))), second.run()]);
    return { here, there, all: [...here, ...there] };
  };

  it('charges each due invoice exactly once that day when both run passes at once', async () => {
    const { here, there, all } = await bothAtOnce();
    expect(all.reduce((sum, p) => sum + p.charged, 0)).toBe(invoices.length);
    expect(all.reduce((sum, p) => sum + p.paid, 0)).toBe(invoices.length);
    expect(here).toHaveLength(PASSES);
    expect(there).toHaveLength(PASSES);

    const { db } = first.runtime.deps;
    const rows = await db.selectFrom('invoices').selectAll().where('id', 'in', invoices).execute();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(invoices.map(() => ['paid', 1]));
    const charges = await db
      .selectFrom('charges')
      .select(['order_ref', 'status'])
      .where('merchant_id', '=', merchant.id)
      .where('initiator', '=', 'merchant')
      .execute();
    expect(charges.map((c) => c.order_ref).sort()).toEqual([...invoices].sort());
    expect(charges.every((c) => c.status === 'succeeded')).toBe(true);
    const operations = await db.selectFrom('simulated_operations').select('reference').where('reference', 'like', 'invoice:%').execute();
    expect(operations).toHaveLength(invoices.length);
    const paidEvents = await db.selectFrom('events').select('data').where('merchant_id', '=', merchant.id).where('type', '=', 'invoice.paid').execute();
    expect(paidEvents).toHaveLength(invoices.length);
    const approved = await db
      .selectFrom('messages')
      .select('id')
      .where('merchant_id', '=', merchant.id)
      .where('template', '=', 'payment_approved')
      .where('channel', '=', 'email')
      .execute();
    expect(approved).toHaveLength(invoices.length);
  });

  it('charges nothing more when both run again the same day', async () => {
    const { all } = await bothAtOnce();
    expect(all.every((p) => p.charged === 0)).toBe(true);
    const charges = await first.runtime.deps.db
      .selectFrom('charges')
      .select('id')
      .where('merchant_id', '=', merchant.id)
      .where('initiator', '=', 'merchant')
      .execute();
    expect(charges).toHaveLength(invoices.length);
  });
});
