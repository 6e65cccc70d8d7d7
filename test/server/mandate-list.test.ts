// GET /v1/customers/{customer}/mandates lists this merchant's mandates only: a sister shop shares the
// customer and the card, but its agreements are its own. The OpenAPI document says the same.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb("A customer's mandates", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  const agree = async (key: string) => {
    const recurring = { min_amount: 500, max_amount: 2000, frequency_days: 30, end_date: `${new Date().getUTCFullYear() + 1}-12-31` };
    const s = await openSession(v, { customer: 'shared-mdt', mode: 'setup', amount: undefined, currency: 'USD', recurring }, key);
    const res = await v.frame('/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true, consent_text: 'I agree' });
    expect(res.status, res.text).toBe(200);
    return res.body.mandate as string;
  };

  it("lists this merchant's mandates, not a sister shop's in the same group, and the document says so", async () => {
    const sister = await v.newMerchant({ group: v.merchant.group });
    const mine = await agree(v.merchant.secret_key);
    const theirs = await agree(sister.secret_key);

    const listed = await v.api('GET', '/v1/customers/shared-mdt/mandates');
    expect(listed.body.data.map((m: any) => m.id)).toEqual([mine]);
    const listedBySister = await v.api('GET', '/v1/customers/shared-mdt/mandates', { key: sister.secret_key });
    expect(listedBySister.body.data.map((m: any) => m.id)).toEqual([theirs]);

    const doc = (await v.api('GET', '/openapi.json', { key: '' })).body;
    const description: string = doc.paths['/v1/customers/{customer}/mandates'].get.responses['200'].description;
    expect(description).toMatch(/this merchant/);
    expect(description).not.toMatch(/group/);
  });
});
