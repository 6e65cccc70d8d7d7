// A confirmation whose processor call outlives the confirmation's life (a slow processor, a paused
// instance) is ended at the processor before its session reopens: the late answer then takes no
// money, so a retried payment is approved once, and everything approved is recorded.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { AuthorizeRequest, AuthorizeResult, Processor } from '../../server/payments/processor.ts';
import { withTimeout } from '../../server/payments/processor-timeout.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, type TestVault, startTestVault } from '../helpers/test-vault.ts';

describeEachDb('a confirmation outlived by its processor call', (target) => {
  let v: TestVault;
  let real: Processor;
  beforeAll(async () => {
    v = await startTestVault(target);
    real = v.runtime.deps.processor;
  });
  afterEach(() => {
    v.runtime.deps.processor = real;
    v.setNow(undefined);
  });
  afterAll(() => v.close());

  /**
   * The first authorisation waits until let go, as a processor that answers after a minute would;
   * `atProcessor` resolves once it is there.
   */
  function holdFirstCall() {
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let arrived!: () => void;
    const atProcessor = new Promise<void>((resolve) => (arrived = resolve));
    let first = true;
    v.runtime.deps.processor = Object.assign(Object.create(real), {
      async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
        if (first) {
          first = false;
          arrived();
          await held;
        }
        return real.authorize(request);
      },
    }) as Processor;
    return { letGo, atProcessor };
  }
  const ledger = (sessionId: string) => v.runtime.deps.db.selectFrom('simulated_operations').selectAll().where('reference', 'like', `${sessionId}:%`).execute();
  const charges = (sessionId: string) => v.runtime.deps.db.selectFrom('charges').selectAll().where('session_id', '=', sessionId).execute();

  it('approves a guest payment once when the customer pays again after the first call went stale', async () => {
    const s = await openSession(v, { amount: 1500 });
    const { letGo, atProcessor } = holdFirstCall();
    const first = v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    // At the processor before the clock moves (a fixed 100 ms was not always enough on a busy machine:
    // the confirmation then began a minute later, and was not stale).
    await atProcessor;
    v.setNow(new Date(Date.now() + 61_000));
    const second = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(second.status, second.text).toBe(200);
    letGo();
    const late = await first;
    expect(late.status).toBe(502);
    expect(late.body.error.code).toBe('processor_unavailable');
    const operations = (await ledger(s.id)).map((o) => JSON.parse(o.result).outcome).sort();
    expect(operations).toEqual(['approved', 'error']);
    expect(await charges(s.id)).toMatchObject([{ id: second.body.charge, status: 'succeeded', amount: 1500 }]);
  });

  it("settles a customer's session the merchant reads while the call is still out, and the retry is the only approval", async () => {
    const s = await openSession(v, { customer: 'stale-reader', amount: 2500 });
    const { letGo, atProcessor } = holdFirstCall();
    const first = v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    // At the processor before the clock moves (a fixed 100 ms was not always enough on a busy machine:
    // the confirmation then began a minute later, and was not stale).
    await atProcessor;
    v.setNow(new Date(Date.now() + 61_000));
    expect((await v.api('GET', `/v1/sessions/${s.id}`)).body.status).toBe('open');
    letGo();
    expect((await first).status).toBe(502);
    expect(await charges(s.id)).toEqual([]);
    const retry = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(retry.status, retry.text).toBe(200);
    expect((await ledger(s.id)).filter((o) => JSON.parse(o.result).outcome === 'approved')).toHaveLength(1);
    expect(await charges(s.id)).toMatchObject([{ id: retry.body.charge, amount: 2500 }]);
  });

  it('gives up on a processor slower than PROCESSOR_TIMEOUT_MS, and its late answer takes no money', async () => {
    const s = await openSession(v, { customer: 'stale-timeout', amount: 4500 });
    let late!: Promise<AuthorizeResult>;
    // The processor answers once the vault has answered (or after 10 s): the vault must not wait for it.
    // A 500 ms processor and a 450 ms bound on the answer failed when a busy machine was merely slow.
    let answerNow!: () => void;
    const answerable = new Promise<void>((resolve) => (answerNow = resolve));
    let answered = false;
    const slow = Object.assign(Object.create(real), {
      authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
        late = Promise.race([answerable, new Promise((resolve) => setTimeout(resolve, 10_000))]).then(() => {
          answered = true;
          return real.authorize(request);
        });
        return late;
      },
    }) as Processor;
    v.runtime.deps.processor = withTimeout(slow, 100);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('processor_unavailable');
    expect(answered, 'the vault waited for the slow processor').toBe(false);
    answerNow();
    expect((await late).outcome).toBe('error');
    expect((await ledger(s.id)).map((o) => JSON.parse(o.result).outcome)).toEqual(['error']);
    expect(await charges(s.id)).toEqual([]);
    // The session reopened: the customer pays with a processor that answers.
    v.runtime.deps.processor = real;
    expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
  });

  it('records an approval the processor gave before the vault lost track of it, instead of reopening the session', async () => {
    const s = await openSession(v, { customer: 'stale-approved', amount: 3500 });
    // The processor approves, but its answer never reaches the vault.
    v.runtime.deps.processor = Object.assign(Object.create(real), {
      async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
        await real.authorize(request);
        throw new Error('connection reset');
      },
    }) as Processor;
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa) });
    expect(res.status, res.text).toBe(200);
    expect(await charges(s.id)).toMatchObject([{ id: res.body.charge, amount: 3500, status: 'succeeded' }]);
  });
});
