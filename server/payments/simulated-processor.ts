// The simulated card network of the contract's test-card table. Its ledger lives in its own table,
// so it answers a repeated reference like a real processor would, even after the vault restarts.
// Its writes are relaxed: they share the vault's database, so they reach the disk in order with the
// vault's own, no later than the durable record of the charge that reports them.
import { columnsOf, prepared } from '../db/prepared-query.ts';
import { randomBytes } from '../ids.ts';
import { relaxed, type Db } from '../db/database.ts';
import type { AuthorizeRequest, AuthorizeResult, DeclineCode, Processor, RefundRequest } from './processor.ts';
import { CHALLENGE_CODE } from './simulated-issuer.ts';

export { CHALLENGE_CODE };

const DECLINES: Record<string, { code: DeclineCode; decline_code?: string; message: string }> = {
  '4000000000000002': { code: 'card_declined', decline_code: 'generic_decline', message: 'The card was declined.' },
  '4000000000009995': { code: 'insufficient_funds', decline_code: 'insufficient_funds', message: 'The card has insufficient funds.' },
  '4000000000000127': { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: 'The card security code is incorrect.' },
  '4000000000000069': { code: 'expired_card', decline_code: 'expired_card', message: 'The card has expired.' },
};
const PROCESSING_ERROR = '4000000000000119';
const CHALLENGE = '4000000000003220';
/** Saves and verifies, but every later charge is declined. */
const DECLINE_AFTER_SAVE = '4000000000000341';
/** Extension for tests of the one-click CVC retry: an all-zero CVC is a wrong CVC on any card. */
const WRONG_CVC = /^0{3,4}$/;

export type TestCardOutcome = 'approved' | 'declined' | 'processor_error' | 'challenge' | 'declined_after_save';

/**
 * The test cards a merchant's developer types, and what this processor does with each: docs/api.md
 * prints the table (`npm run docs:contract`), and a test runs every row through the processor.
 */
export const TEST_CARDS: readonly { number: string; outcome: TestCardOutcome; behaviour: string }[] = [
  { number: '4242424242424242', outcome: 'approved', behaviour: 'Visa, approved' },
  { number: '5555555555554444', outcome: 'approved', behaviour: 'Mastercard, approved' },
  { number: '378282246310005', outcome: 'approved', behaviour: 'Amex, approved' },
  ...Object.entries(DECLINES).map(([number, d]) => ({
    number,
    outcome: 'declined' as const,
    behaviour: `declined, \`${d.code}\`${d.decline_code && d.decline_code !== d.code ? ` / \`${d.decline_code}\`` : ''}`,
  })),
  { number: PROCESSING_ERROR, outcome: 'processor_error', behaviour: 'the processor fails: 502 `processor_unavailable`' },
  {
    number: CHALLENGE,
    outcome: 'challenge',
    behaviour: `3-D Secure challenge on customer-initiated payments; the code \`${CHALLENGE_CODE}\` passes`,
  },
  { number: DECLINE_AFTER_SAVE, outcome: 'declined_after_save', behaviour: 'saves and verifies, but every later charge is declined' },
];

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

function decide(req: AuthorizeRequest, now: Date): AuthorizeResult {
  const { number } = req.card;
  if (number === PROCESSING_ERROR) return { outcome: 'error', message: 'The processor could not complete the request.' };
  const expired = req.card.exp_year < now.getUTCFullYear() || (req.card.exp_year === now.getUTCFullYear() && req.card.exp_month < now.getUTCMonth() + 1);
  const decline = (d: { code: DeclineCode; decline_code?: string; message: string }): AuthorizeResult => ({
    outcome: 'declined',
    processor_id: id('sim'),
    ...d,
  });
  if (expired) return decline({ code: 'expired_card', decline_code: 'expired_card', message: 'The card has expired.' });
  if (DECLINES[number]) return decline(DECLINES[number]);
  if (req.initiator === 'customer') {
    if ((number === CHALLENGE || req.force_challenge) && !req.authenticated) return { outcome: 'challenge' };
    if (req.card.cvc && WRONG_CVC.test(req.card.cvc)) return decline(DECLINES['4000000000000127']);
  }
  // A charge of the stored card; its check for a new agreement (never captured) still verifies.
  if (number === DECLINE_AFTER_SAVE && req.stored_credential && req.capture) return decline(DECLINES['4000000000000002']);
  return {
    outcome: 'approved',
    processor_id: id('sim'),
    network_transaction_id: req.network_transaction_id && req.initiator === 'merchant' ? req.network_transaction_id : id('ntid'),
  };
}

/** The first operation under a reference takes it; a later one records nothing (one row affected, or none). */
const recordOperation = prepared((q, row: { reference: string; kind: string; result: string; created_at: string }) =>
  q
    .insertInto('simulated_operations')
    .values(columnsOf(row, ['reference', 'kind', 'result', 'created_at']))
    .onConflict((oc) => oc.column('reference').doNothing()),
);

export class SimulatedProcessor implements Processor {
  readonly type = 'simulated' as const;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    const result = decide(req, this.clock());
    // A challenge is a question, not an operation: nothing is recorded until the card is charged.
    if (result.outcome === 'challenge') return (await this.lookup(req.reference)) ?? result;
    const inserted = await relaxed(this.db, (q) =>
      recordOperation(q, { reference: req.reference, kind: 'authorize', result: JSON.stringify(result), created_at: this.clock().toISOString() }),
    );
    // Two calls with one reference at once: the one that lost the race answers with the winner's result.
    return Number(inserted.numAffectedRows) === 1 ? result : (await this.lookup(req.reference))!;
  }

  async void(_processorId: string, _reference: string): Promise<void> {}

  async refund(req: RefundRequest) {
    // Idempotent by reference, like authorisations: a retried refund is not paid out twice.
    await relaxed(this.db, (q) =>
      q
        .insertInto('simulated_operations')
        .values({
          reference: req.reference,
          kind: 'refund',
          result: JSON.stringify({ outcome: 'succeeded', amount: req.amount }),
          created_at: this.clock().toISOString(),
        })
        .onConflict((oc) => oc.column('reference').doNothing())
        .execute(),
    );
    return { outcome: 'succeeded' as const };
  }

  async cancel(reference: string): Promise<AuthorizeResult | undefined> {
    // The reference is taken by a result that moved no money: a call still in flight with it loses the race.
    const cancelled: AuthorizeResult = { outcome: 'error', message: 'The operation was cancelled before it completed.' };
    const inserted = await relaxed(this.db, (q) =>
      q
        .insertInto('simulated_operations')
        .values({ reference, kind: 'cancel', result: JSON.stringify(cancelled), created_at: this.clock().toISOString() })
        .onConflict((oc) => oc.column('reference').doNothing())
        .executeTakeFirst(),
    );
    if (Number(inserted.numInsertedOrUpdatedRows) === 1) return undefined;
    const known = await this.lookup(reference);
    return known?.outcome === 'approved' || known?.outcome === 'declined' ? known : undefined;
  }

  async lookup(reference: string): Promise<AuthorizeResult | undefined> {
    const row = await this.db.selectFrom('simulated_operations').select('result').where('reference', '=', reference).executeTakeFirst();
    return row ? (JSON.parse(row.result) as AuthorizeResult) : undefined;
  }

  async completeRedirect(): Promise<AuthorizeResult> {
    // The simulated issuer's challenge is answered on the vault's own page; it never redirects.
    return { outcome: 'error', message: 'the simulated processor sends no redirect' };
  }
}
