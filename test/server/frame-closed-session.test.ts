// A client secret is worth nothing once its session is over: a complete, expired or failed-out session
// no longer shows the customer's saved cards, nor the card it has just saved.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('POST /frame/v1/session on a closed session', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it('reveals nothing once the session is complete, not even the card it saved', async () => {
    const older = await saveCardFor(v, 'closed-complete');
    const s = await openSession(v, { customer: 'closed-complete' });
    expect((await v.frame('/frame/v1/session', s.secret)).body.cards.map((c: any) => c.token)).toEqual([older]);
    const paid = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.mastercard), save: true });
    expect(paid.status).toBe(200);
    // The attacker holds the client secret of a finished checkout (a shared screen, a log, a browser history).
    const after = await v.frame('/frame/v1/session', s.secret);
    expect(after.status).toBe(410);
    expect(after.body.error).toMatchObject({ type: 'invalid_request_error', code: 'session_expired' });
    for (const token of [older, paid.body.card.token]) expect(after.text).not.toContain(token);
    expect(after.text).not.toMatch(/4242|4444/);
  });

  it('reveals nothing once the session has expired', async () => {
    const token = await saveCardFor(v, 'closed-expired');
    const s = await openSession(v, { customer: 'closed-expired', expires_in: 60 });
    v.setNow(new Date(Date.now() + 61_000));
    try {
      const res = await v.frame('/frame/v1/session', s.secret);
      expect(res.status).toBe(410);
      expect(res.text).not.toContain(token);
    } finally {
      v.setNow(undefined);
    }
  });

  it('reveals nothing once five failed confirmations have closed it', async () => {
    const token = await saveCardFor(v, 'closed-failed');
    const s = await openSession(v, { customer: 'closed-failed' });
    for (let i = 0; i < 5; i++) expect((await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.declined) })).status).toBe(402);
    const res = await v.frame('/frame/v1/session', s.secret);
    expect(res.status).toBe(429);
    expect(res.text).not.toContain(token);
  });
});
