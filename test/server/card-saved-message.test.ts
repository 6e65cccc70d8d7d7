// The "card saved" customer message: sent once when the fields save a new card with the customer's
// consent, in the customer's language, naming the last four digits; never for a card paid with
// again, a number saved anew, or a guest.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, saveCardFor, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb('The card_saved message', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(async () => {
    await v.close();
  });

  const allMessages = async () => (await v.api('GET', '/v1/messages?limit=100')).body.data as any[];
  const messagesOf = async (customer: string) => (await v.api('GET', `/v1/messages?customer=${customer}&limit=100`)).body.data as any[];

  it("puts one card_saved message in the outbox when the fields save a card, in the customer's language, without the number", async () => {
    await v.api('POST', '/v1/customers/greta', { body: { email: 'greta@example.test', locale: 'de' } });
    const token = await saveCardFor(v, 'greta', CARDS.mastercard);

    const messages = await messagesOf('greta');
    expect(messages).toEqual([
      expect.objectContaining({
        customer: 'greta',
        channel: 'email',
        recipient: 'greta@example.test',
        template: 'card_saved',
        locale: 'de',
        transport: 'outbox',
        status: 'queued',
      }),
    ]);
    expect(messages[0].subject).toContain('4444');
    expect(messages[0].body).toContain('Test shop');
    expect(JSON.stringify(messages)).not.toContain(CARDS.mastercard);
    expect(JSON.stringify(messages)).not.toContain(token);
  });

  it('sends it for a card saved without paying (setup), to a customer the vault did not know yet', async () => {
    const s = await openSession(v, { mode: 'setup', customer: 'newcomer', amount: undefined, currency: undefined });
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true });
    expect(res.status).toBe(200);
    expect(await messagesOf('newcomer')).toEqual([expect.objectContaining({ template: 'card_saved', locale: 'en', recipient: 'newcomer' })]);
  });

  it('adds none when the customer pays with the saved card later, or types the same number again to save it', async () => {
    const token = await saveCardFor(v, 'paul');
    expect(await messagesOf('paul')).toHaveLength(1);

    const again = await openSession(v, { customer: 'paul' });
    const paid = await v.frame('/frame/v1/confirm', again.secret, { saved_card: { token, cvc: '123' } });
    expect(paid.body).toMatchObject({ status: 'succeeded', card: { token } });

    // The same number typed and saved again updates the card (card.updated): it is not a new card.
    const retyped = await openSession(v, { customer: 'paul' });
    const updated = await v.frame('/frame/v1/confirm', retyped.secret, { card: newCard(CARDS.visa), save: true });
    expect(updated.body).toMatchObject({ status: 'succeeded', card: { token } });

    expect(await messagesOf('paul')).toHaveLength(1);
  });

  it('adds none for a guest checkout, nor for a customer who paid without saving', async () => {
    const before = (await allMessages()).length;
    const guest = await openSession(v);
    expect((await v.frame('/frame/v1/confirm', guest.secret, { card: newCard(CARDS.visa), save: false })).body.status).toBe('succeeded');
    const unsaved = await openSession(v, { customer: 'no-save' });
    expect((await v.frame('/frame/v1/confirm', unsaved.secret, { card: newCard(CARDS.visa), save: false })).body.status).toBe('succeeded');
    expect(await allMessages()).toHaveLength(before);
  });
});
