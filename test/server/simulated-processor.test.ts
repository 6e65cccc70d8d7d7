import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrations.ts';
import type { AuthorizeRequest } from '../../server/payments/processor.ts';
import { CHALLENGE_CODE, SimulatedProcessor } from '../../server/payments/simulated-processor.ts';
import { verifySimulatedChallenge } from '../../server/payments/simulated-issuer.ts';
import { binFacts } from '../../server/payments/bin-facts.ts';
import { createPgDatabase, describeEachDb } from '../helpers/databases.ts';
import { CARDS } from '../helpers/test-vault.ts';

/** The processor's clock: mid-June 2030, so expiries around it are exact. */
const NOW = new Date('2030-06-15T12:00:00Z');
let serial = 0;
const ref = (label: string) => `test-${label}-${++serial}-${Math.random().toString(36).slice(2)}`;

function request(number: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    reference: ref('op'),
    card: { number, exp_month: 12, exp_year: 2032, cvc: number.startsWith('37') ? '1234' : '123' },
    amount: 1999,
    currency: 'USD',
    initiator: 'customer',
    stored_credential: false,
    capture: true,
    ...overrides,
  };
}

describeEachDb('SimulatedProcessor', (target) => {
  let handle: DbHandle;
  let dataDir: string;
  let dropPg: (() => Promise<void>) | undefined;
  let processor: SimulatedProcessor;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-processor-'));
    const pgDb = target === 'postgres' ? await createPgDatabase() : undefined;
    dropPg = pgDb?.drop;
    handle = openDatabase({ dataDir, databaseUrl: pgDb?.url });
    await migrate(handle.db);
    processor = new SimulatedProcessor(handle.db, () => NOW);
  });
  afterAll(async () => {
    await handle?.close();
    await dropPg?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const ledgerRows = async (reference: string) =>
    (await handle.db.selectFrom('simulated_operations').selectAll().where('reference', '=', reference).execute()).length;

  describe('the test cards', () => {
    it.each([
      ['Visa', CARDS.visa],
      ['Mastercard', CARDS.mastercard],
      ['Amex', CARDS.amex],
    ])('approves %s with a processor id and a network transaction id', async (_name, number) => {
      const result = await processor.authorize(request(number));
      expect(result).toMatchObject({ outcome: 'approved', processor_id: expect.any(String), network_transaction_id: expect.any(String) });
    });

    it.each([
      ['4000 0000 0000 0002', CARDS.declined, 'card_declined', 'generic_decline'],
      ['4000 0000 0000 9995', CARDS.insufficient, 'insufficient_funds', 'insufficient_funds'],
      ['4000 0000 0000 0127', CARDS.incorrectCvc, 'incorrect_cvc', 'incorrect_cvc'],
      ['4000 0000 0000 0069', CARDS.expired, 'expired_card', 'expired_card'],
    ])('declines %s', async (_name, number, code, declineCode) => {
      for (const initiator of ['customer', 'merchant'] as const) {
        const result = await processor.authorize(request(number, { initiator, stored_credential: initiator === 'merchant' }));
        expect(result, initiator).toMatchObject({
          outcome: 'declined',
          code,
          decline_code: declineCode,
          processor_id: expect.any(String),
          message: expect.any(String),
        });
        expect(JSON.stringify(result)).not.toContain(number);
      }
    });

    it('answers 4000 0000 0000 0119 with a processing error', async () => {
      const result = await processor.authorize(request(CARDS.processingError));
      expect(result.outcome).toBe('error');
    });

    it('asks for 3-D Secure on a customer-initiated charge of 4000 0000 0000 3220 and approves it once authenticated', async () => {
      expect(await processor.authorize(request(CARDS.challenge))).toEqual({ outcome: 'challenge' });
      expect(await processor.authorize(request(CARDS.challenge, { authenticated: true }))).toMatchObject({ outcome: 'approved' });
    });

    it('does not ask a merchant-initiated charge of 4000 0000 0000 3220 for 3-D Secure', async () => {
      const result = await processor.authorize(
        request(CARDS.challenge, { initiator: 'merchant', stored_credential: true, card: { number: CARDS.challenge, exp_month: 12, exp_year: 2032 } }),
      );
      expect(result.outcome).toBe('approved');
    });

    it('challenges any card when the merchant forces 3-D Secure, on customer-initiated charges only', async () => {
      expect(await processor.authorize(request(CARDS.visa, { force_challenge: true }))).toEqual({ outcome: 'challenge' });
      expect((await processor.authorize(request(CARDS.visa, { force_challenge: true, authenticated: true }))).outcome).toBe('approved');
    });

    it('verifies 4000 0000 0000 0341 when it is saved, then declines every charge of the stored card', async () => {
      expect((await processor.authorize(request(CARDS.declineAfterSave, { capture: false }))).outcome).toBe('approved');
      const oneClick = await processor.authorize(request(CARDS.declineAfterSave, { stored_credential: true }));
      expect(oneClick).toMatchObject({ outcome: 'declined', code: 'card_declined', decline_code: 'generic_decline' });
      const merchant = await processor.authorize(
        request(CARDS.declineAfterSave, {
          initiator: 'merchant',
          stored_credential: true,
          network_transaction_id: 'ntid_x',
          card: { number: CARDS.declineAfterSave, exp_month: 12, exp_year: 2032 },
        }),
      );
      expect(merchant).toMatchObject({ outcome: 'declined', code: 'card_declined' });
    });

    it('declines an all-zero CVC on a customer-initiated charge as incorrect_cvc', async () => {
      const result = await processor.authorize(request(CARDS.visa, { card: { number: CARDS.visa, exp_month: 12, exp_year: 2032, cvc: '000' } }));
      expect(result).toMatchObject({ outcome: 'declined', code: 'incorrect_cvc' });
    });
  });

  describe('expiry', () => {
    it('declines a card whose expiry month has passed with expired_card', async () => {
      const result = await processor.authorize(request(CARDS.visa, { card: { number: CARDS.visa, exp_month: 5, exp_year: 2030, cvc: '123' } }));
      expect(result).toMatchObject({ outcome: 'declined', code: 'expired_card' });
      const lastYear = await processor.authorize(
        request(CARDS.mastercard, { initiator: 'merchant', stored_credential: true, card: { number: CARDS.mastercard, exp_month: 12, exp_year: 2029 } }),
      );
      expect(lastYear).toMatchObject({ outcome: 'declined', code: 'expired_card' });
    });

    it('approves a card through the last day of its expiry month', async () => {
      const result = await processor.authorize(request(CARDS.visa, { card: { number: CARDS.visa, exp_month: 6, exp_year: 2030, cvc: '123' } }));
      expect(result.outcome).toBe('approved');
    });
  });

  describe('references', () => {
    it('answers a repeated reference with the first result and records one operation', async () => {
      const reference = ref('repeat');
      const first = await processor.authorize(request(CARDS.visa, { reference }));
      expect(first.outcome).toBe('approved');
      const again = await processor.authorize(request(CARDS.declined, { reference, amount: 5 }));
      expect(again).toEqual(first);
      expect(await ledgerRows(reference)).toBe(1);
      expect(await processor.lookup(reference)).toEqual(first);
    });

    it('gives two concurrent calls with one reference the identical result and one operation', async () => {
      const reference = ref('race');
      const [a, b] = await Promise.all([processor.authorize(request(CARDS.visa, { reference })), processor.authorize(request(CARDS.declined, { reference }))]);
      expect(a).toEqual(b);
      expect(await ledgerRows(reference)).toBe(1);
      const same = await Promise.all(Array.from({ length: 5 }, () => processor.authorize(request(CARDS.mastercard, { reference: `${reference}-5` }))));
      for (const r of same) expect(r).toEqual(same[0]);
      expect(await ledgerRows(`${reference}-5`)).toBe(1);
    });

    it('remembers a reference after a restart', async () => {
      const reference = ref('restart');
      const first = await processor.authorize(request(CARDS.insufficient, { reference }));
      const restarted = new SimulatedProcessor(handle.db, () => NOW);
      expect(await restarted.lookup(reference)).toEqual(first);
      expect(await restarted.authorize(request(CARDS.visa, { reference }))).toEqual(first);
    });

    it('knows nothing of a reference it never saw', async () => {
      expect(await processor.lookup(ref('unknown'))).toBeUndefined();
    });

    it('gives each approved operation its own processor id and network transaction id', async () => {
      const a = await processor.authorize(request(CARDS.visa));
      const b = await processor.authorize(request(CARDS.visa));
      if (a.outcome !== 'approved' || b.outcome !== 'approved') throw new Error('not approved');
      expect(a.processor_id).not.toBe(b.processor_id);
      expect(a.network_transaction_id).not.toBe(b.network_transaction_id);
    });
  });

  describe('merchant-initiated charges', () => {
    it("carry the network transaction id of the mandate's first charge", async () => {
      const first = await processor.authorize(request(CARDS.visa));
      if (first.outcome !== 'approved') throw new Error('not approved');
      const card = { number: CARDS.visa, exp_month: 12, exp_year: 2032 };
      const later = await processor.authorize(
        request(CARDS.visa, { initiator: 'merchant', stored_credential: true, card, network_transaction_id: first.network_transaction_id }),
      );
      expect(later).toMatchObject({ outcome: 'approved', network_transaction_id: first.network_transaction_id });
    });
  });

  describe('3-D Secure challenges', () => {
    it('does not record a challenge in the ledger, so the authenticated retry is a fresh operation', async () => {
      const reference = ref('challenge');
      expect(await processor.authorize(request(CARDS.challenge, { reference }))).toEqual({ outcome: 'challenge' });
      expect(await ledgerRows(reference)).toBe(0);
      expect(await processor.lookup(reference)).toBeUndefined();
      const approved = await processor.authorize(request(CARDS.challenge, { reference, authenticated: true }));
      expect(approved.outcome).toBe('approved');
      expect(await ledgerRows(reference)).toBe(1);
    });

    it("accepts only the issuer's code 123456", () => {
      expect(CHALLENGE_CODE).toBe('123456');
      expect(verifySimulatedChallenge('123456')).toBe(true);
      for (const wrong of ['', '12345', '1234567', '654321', '123456 ']) expect(verifySimulatedChallenge(wrong), wrong).toBe(false);
    });
  });
});

describe('binFacts', () => {
  it("names an issuer and country for each brand's BIN, locally", () => {
    expect(binFacts('424242')).toEqual({ issuer: expect.any(String), country: 'US' });
    expect(binFacts('555555').issuer).not.toBe(binFacts('424242').issuer);
    expect(binFacts('378282').issuer).toBe('American Express');
  });

  it('takes what a provider learned about the card over the local table', () => {
    expect(binFacts('424242', { issuer: 'Real Bank', country: 'FR' })).toEqual({ issuer: 'Real Bank', country: 'FR' });
    expect(binFacts('424242', { country: 'DE' })).toEqual({ issuer: 'Simulated Visa Bank', country: 'DE' });
  });
});
