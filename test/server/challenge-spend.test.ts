// A passed 3-D Secure challenge authenticates one payment: the approval it let through spends it
// (challenge-status.ts), and a spent challenge authenticates nothing after, whoever names it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useChallenge } from '../../server/challenges/challenge-status.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, LIFTABLE_LIMITS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

let serial = 0;
const fresh = (label: string) => `spend-${label}-${++serial}`;

describeEachDb('a 3-D Secure challenge is spent once', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { limits: LIFTABLE_LIMITS });
    await v.api('POST', '/v1/merchant', { body: { frame_limit_per_address: 0, rate_limit: 0 } });
  });
  afterAll(() => v.close());

  /** A session whose challenge the customer passed with the simulated issuer's code. */
  async function passed(customer: string) {
    const s = await openSession(v, { customer, amount: 3300 });
    const asked = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.challenge) });
    expect(asked.body.status, asked.text).toBe('requires_action');
    const challenge = asked.body.next_action.challenge as string;
    const answer = await v.frame(`/frame/v1/challenges/${challenge}`, s.secret, { code: '123456' });
    expect(answer.body.status).toBe('passed');
    return { ...s, challenge };
  }
  const statusOf = async (challenge: string) =>
    (await v.runtime.deps.db.selectFrom('challenges').select('status').where('id', '=', challenge).executeTakeFirstOrThrow()).status;
  const chargesOf = async (customer: string) => (await v.api('GET', `/v1/charges?customer=${customer}&limit=100`)).body.data as any[];

  it('is spent by the payment it authenticated, then refused by a second confirmation and by a new answer', async () => {
    const customer = fresh('paid');
    const c = await passed(customer);
    const body = { card: newCard(CARDS.challenge), challenge: c.challenge };
    const paid = await v.frame('/frame/v1/confirm', c.secret, body);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.status).toBe('succeeded');
    expect(await statusOf(c.challenge)).toBe('used');

    const again = await v.frame('/frame/v1/confirm', c.secret, body);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('session_expired');
    // The session is complete: its secret answers 410, as every endpoint of a closed session does.
    const answer = await v.frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' });
    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('session_expired');
    expect(await statusOf(c.challenge)).toBe('used');
    expect(await chargesOf(customer)).toHaveLength(1);
  });

  it('authenticates no payment once spent, even while its session is still open', async () => {
    const customer = fresh('spent');
    const c = await passed(customer);
    // As if an approval it let through had been recorded: the write that spends it in that batch.
    expect(Number((await useChallenge(v.runtime.deps.db, { id: c.challenge })).numAffectedRows)).toBe(1);
    const res = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'authentication_required' });
    expect(await chargesOf(customer)).toEqual([]);
    expect((await v.api('GET', `/v1/sessions/${c.id}`)).body).toMatchObject({ status: 'open', charge: null });
    // Spending it again moves nothing: it stays spent, and a new answer to it, in its open session, takes no try.
    expect(Number((await useChallenge(v.runtime.deps.db, { id: c.challenge })).numAffectedRows)).toBe(0);
    const answer = await v.frame(`/frame/v1/challenges/${c.challenge}`, c.secret, { code: '123456' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'parameter_invalid', param: 'id' });
    expect(await statusOf(c.challenge)).toBe('used');
  });

  it('is not spent by a declined payment: the same card, tried again, is authenticated and pays', async () => {
    const customer = fresh('declined');
    const c = await passed(customer);
    // The bank's refusal of the security code, not the vault's: the challenge still authenticates this card.
    const refused = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge, '000'), challenge: c.challenge });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('incorrect_cvc');
    expect(await statusOf(c.challenge)).toBe('passed');
    const paid = await v.frame('/frame/v1/confirm', c.secret, { card: newCard(CARDS.challenge), challenge: c.challenge });
    expect(paid.status, paid.text).toBe(200);
    expect(await statusOf(c.challenge)).toBe('used');
    expect((await chargesOf(customer)).map((ch) => ch.status).sort()).toEqual(['failed', 'succeeded']);
  });
});
