// The bench's floor for the new-card confirmation on PostgreSQL (bench/confirm-floor.ts) stands for
// the database work of the vault's own confirmation: these tests fail when the vault's guest
// confirmation stops sending exactly the floor's four statements, or when the floor stops doing that
// work (a charge, its two events, the session completed).
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_SESSION, outcomeStatement, READ_SESSION, RECORD_OPERATION } from '../../bench/confirm-statements.ts';
import { freePort } from '../../bench/processes.ts';
import { targets } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

/** Every text the vault's PostgreSQL connections were sent while `fn` ran. */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    sent.push(typeof args[0] === 'string' ? args[0] : args[0].text);
    return (query as any).apply(this, args);
  } as any;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

const suite = targets.includes('postgres') ? describe : describe.skip;

suite(`The confirmation's floor in the bench [postgres]${targets.includes('postgres') ? '' : ' skipped: TEST_DATABASE_URL is not set'}`, () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('postgres');
  });
  afterAll(async () => {
    await v?.close();
  });

  it("sends what a guest's new-card confirmation sends, in its order", async () => {
    // Under the bench's load the merchant is in the vault's one-second cache and the statements are named:
    // a confirmation just before the one looked at sets both up. The vault's timers read the database
    // too (the fingerprint keys, every five seconds): a window one of them fell in is taken again.
    const confirm = async () => {
      const { secret } = await openSession(v);
      expect((await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.visa) })).status).toBe(200);
    };
    const expected = [READ_SESSION, CLAIM_SESSION, RECORD_OPERATION, outcomeStatement()];
    let sent: string[] = [];
    for (let attempt = 0; attempt < 3 && sent.join() !== expected.join(); attempt++) {
      await confirm();
      const { secret } = await openSession(v);
      sent = await statementsDuring(async () => expect((await v.frame('/frame/v1/confirm', secret, { card: newCard(CARDS.visa) })).status).toBe(200));
    }
    expect(sent).toEqual(expected);
  });

  it('completes a session with a charge and its two events, as the vault does', async () => {
    await openSession(v);
    const port = await freePort();
    const floor = spawn(process.execPath, ['--import', 'tsx', 'bench/confirm-floor.ts'], {
      env: { ...process.env, DATABASE_URL: v.databaseUrl, PORT: String(port), FLOOR_SESSIONS: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    floor.stdout.on('data', (d) => (output += d));
    floor.stderr.on('data', (d) => (output += d));
    try {
      await expect.poll(() => output, { timeout: 30_000 }).toContain('confirm floor listening');
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify({ card: newCard(CARDS.visa) }) });
      const answer = await res.json();
      expect(res.status).toBe(200);
      expect(answer).toMatchObject({ status: 'succeeded', card: { brand: 'visa', last4: '4242' } });

      const db = v.runtime.deps.db;
      const session = await db.selectFrom('sessions').selectAll().where('id', '=', answer.session).executeTakeFirstOrThrow();
      expect(session).toMatchObject({ status: 'complete', charge_id: answer.charge, attempt: null });
      const charge = await db.selectFrom('charges').selectAll().where('id', '=', answer.charge).executeTakeFirstOrThrow();
      expect(charge).toMatchObject({ status: 'succeeded', session_id: answer.session, processor: 'simulated' });
      const events = await db.selectFrom('events').select('type').where('data', 'like', `%${answer.charge}%`).orderBy('type').execute();
      expect(events.map((e) => e.type)).toEqual(['charge.succeeded', 'session.completed']);
      const records = await db.selectFrom('simulated_operations').select('kind').where('reference', '=', charge.processor_ref!).execute();
      expect(records).toEqual([{ kind: 'authorize' }]);
    } finally {
      floor.kill('SIGTERM');
    }
  });
});
