// A provider's answer that echoes the card number in its words (a refusal's reason and code) is kept
// with the number masked: not in the confirmation's answer, the charge, its events or the database.
// Through the app, against a local server speaking Adyen's wire format; and the words of every kind of
// answer a connector gives (processor-answers.ts), a provider's own ids left as they are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubbedAuthorization } from '../../server/payments/processor-answers.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startFakeAdyen, type FakeAdyen } from '../helpers/fake-adyen.ts';
import { everyRow } from '../helpers/storage-scan.ts';
import { realLookingVisa } from '../helpers/test-cards.ts';
import { newCard, newShop, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

// Not a test card: its middle digits are its own (a test card's repeat its first six, which are shown).
const number = realLookingVisa();
const middle = number.slice(6, 12);
const spaced = number.match(/.{4}/g)!.join(' ');

describeEachDb('a provider’s answer that quotes the card', (target) => {
  let v: TestVault;
  let adyen: FakeAdyen;
  beforeAll(async () => {
    adyen = await startFakeAdyen();
    v = await startTestVault(target, { processorBaseUrls: { adyen: adyen.url } });
  });
  afterAll(async () => {
    await v?.close();
    await adyen?.close();
  });

  it('keeps a refusal whose reason and code quote the number with the number masked, everywhere the merchant or the database sees it', async () => {
    const s = await newShop(v);
    const set = await s.api('POST', '/v1/merchant', {
      processor: { type: 'adyen', api_key: adyen.apiKey, merchant_account: adyen.merchantAccount, environment: 'test', hmac_key: adyen.hmacKey },
    });
    expect(set.status, set.text).toBe(200);
    adyen.refuseNextWith({ code: number, reason: `Refused: card ${spaced} is blocked (${number})` });
    const session = await openSession(v, { amount: 1500, currency: 'EUR' }, s.secret_key);
    const confirmed = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(number) });
    expect(confirmed.status, confirmed.text).toBe(402);
    expect(confirmed.body.error).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });

    const charges = await s.api('GET', '/v1/charges?limit=10');
    expect(charges.status, charges.text).toBe(200);
    const [charge] = charges.body.data;
    expect(charge.processor_response).toEqual({ code: '[redacted-pan]', message: 'Refused: card [redacted-pan] is blocked ([redacted-pan])' });
    const events = await s.api('GET', '/v1/events?limit=100');
    const seen = JSON.stringify([confirmed.body, charges.body, events.body, await s.api('GET', `/v1/sessions/${session.id}`)]);
    for (const form of [number, spaced, middle]) expect(seen).not.toContain(form);
    const stored = await everyRow(v, target, 'charges');
    expect(stored).toContain(charge.id);
    for (const form of [number, spaced, middle]) expect(stored).not.toContain(form);
  });
});

describe('the words of a connector’s answers', () => {
  const pan = '5555555555554444';
  it('scrubs a decline’s message, decline code and provider response, and an error’s message; ids are left as they are', () => {
    const declined = scrubbedAuthorization({
      outcome: 'declined',
      processor_id: '8835511210681145',
      code: 'card_declined',
      decline_code: `do_not_honor_${pan}`,
      message: `Declined ${pan}`,
      processor_response: { code: pan, message: `card ${pan.match(/.{4}/g)!.join('-')}` },
    });
    expect(declined).toEqual({
      outcome: 'declined',
      processor_id: '8835511210681145',
      code: 'card_declined',
      decline_code: 'do_not_honor_[redacted-pan]',
      message: 'Declined [redacted-pan]',
      processor_response: { code: '[redacted-pan]', message: 'card [redacted-pan]' },
    });
    expect(scrubbedAuthorization({ outcome: 'error', message: `timeout for ${pan}` })).toEqual({ outcome: 'error', message: 'timeout for [redacted-pan]' });
    const approved = { outcome: 'approved' as const, processor_id: '8835511210681145', network_transaction_id: '123456789012345' };
    expect(scrubbedAuthorization(approved)).toBe(approved);
    expect(scrubbedAuthorization(undefined)).toBeUndefined();
    const plain = scrubbedAuthorization({ outcome: 'declined', processor_id: 'p', code: 'card_declined', message: 'Refused' });
    expect(plain).toEqual({ outcome: 'declined', processor_id: 'p', code: 'card_declined', message: 'Refused' });
    expect('decline_code' in plain!).toBe(false);
  });
});
