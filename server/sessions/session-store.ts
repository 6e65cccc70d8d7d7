// Checkout sessions: created by the merchant's server, completed by the fields.
import type { z } from 'zod';
import type { CreatedSession, ForwardResult, SessionCreate } from '../../protocol/api.ts';
import { dayOf } from '../clock.ts';
import type { Deps } from '../context.ts';
import { relaxed, type Db, type Queryable } from '../db/database.ts';
import { getOwned } from '../db/owned-rows.ts';
import { prepared } from '../db/prepared-query.ts';
import type { SessionTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId, randomSecret, sha256 } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { checkSessionForward } from '../forward/session-forward.ts';
import { toSessionView } from './session-view.ts';
import { processorTakes } from '../payments/processor-takes.ts';

type SessionInput = z.output<typeof SessionCreate>;

/** Checks the combinations a schema cannot: what each mode needs, and what saving needs. */
function checkCombination(input: SessionInput, now: Date): void {
  if (input.mode === 'payment') {
    if (input.amount === undefined) throw new ApiError('parameter_missing', 'amount is required in payment mode', { param: 'amount' });
    if (input.currency === undefined) throw new ApiError('parameter_missing', 'currency is required in payment mode', { param: 'currency' });
  }
  const saves = input.mode === 'setup' || input.recurring !== undefined || input.save_card === 'require';
  if (saves && input.customer === undefined) {
    throw new ApiError('parameter_missing', 'customer is required to save a card (setup mode, recurring or save_card: require)', { param: 'customer' });
  }
  if ((input.mode === 'setup' || input.recurring) && input.save_card === 'off') {
    throw new ApiError('parameter_invalid', 'save_card cannot be off in setup mode or with recurring', { param: 'save_card' });
  }
  const r = input.recurring;
  if (r) {
    // The consent names the currency of its range, and the mandate may be charged in that one only.
    if (input.currency === undefined)
      throw new ApiError('parameter_missing', 'currency is required with recurring: the agreement is for amounts in one currency', { param: 'currency' });
    if (r.min_amount > r.max_amount)
      throw new ApiError('parameter_invalid', 'recurring.min_amount must not exceed recurring.max_amount', { param: 'recurring.min_amount' });
    if (r.end_date < dayOf(now)) throw new ApiError('parameter_invalid', 'recurring.end_date must not be in the past', { param: 'recurring.end_date' });
    if (input.mode === 'payment' && input.amount !== undefined && (input.amount < r.min_amount || input.amount > r.max_amount)) {
      throw new ApiError('parameter_invalid', 'amount must lie within recurring.min_amount and recurring.max_amount', { param: 'amount' });
    }
  }
}

/**
 * POST /v1/sessions: a live merchant with no real processor could take no payment, so it is refused
 * (403) before the customer sees a form; otherwise the session is created.
 */
export async function openSession(deps: Pick<Deps, 'db' | 'clock' | 'processors'>, merchant: Merchant, input: SessionInput): Promise<CreatedSession> {
  // Called for its refusals only: the processor itself is chosen again when the session is confirmed.
  const processor = deps.processors.for(merchant);
  if (input.amount !== undefined && input.currency !== undefined) processorTakes(processor, input.amount, input.currency);
  return createSession(deps.db, merchant, input, deps.clock());
}

/** Creates the session as asked. The API's way in is `openSession`, which first refuses a merchant that could take no payment. */
export async function createSession(db: Db, merchant: Merchant, input: SessionInput, now: Date): Promise<CreatedSession> {
  checkCombination(input, now);
  // The destination must be this merchant's, and the template fillable, before a customer confirms.
  if (input.forward) await checkSessionForward(db, merchant, input.forward);
  const id = newId('cs');
  const clientSecret = `${id}_secret_${randomSecret(24)}`;
  const row: SessionTable = {
    id,
    merchant_id: merchant.id,
    group_id: merchant.group_id,
    client_secret_hash: sha256(clientSecret),
    mode: input.mode,
    amount: input.mode === 'payment' ? input.amount! : null,
    currency: input.currency ?? null,
    customer: input.customer ?? null,
    order_ref: input.order ?? null,
    save_card: input.mode === 'setup' || input.recurring ? 'require' : input.save_card,
    recurring: input.recurring ? JSON.stringify(input.recurring) : null,
    merchant_name: merchant.name,
    status: 'open',
    failed_attempts: 0,
    expires_at: new Date(now.getTime() + input.expires_in * 1000).toISOString(),
    charge_id: null,
    card_token: null,
    card_masked: null,
    mandate_id: null,
    saved: 0,
    created_at: now.toISOString(),
    completed_at: null,
    attempt: null,
    processing_since: null,
    forward: input.forward ? JSON.stringify(input.forward) : null,
    forward_result: null,
  };
  // Relaxed: an open session moves no money, and a power cut that loses it loses only a checkout to retry.
  await relaxed(db, (q) => q.insertInto('sessions').values(row).execute());
  return { ...toSessionView(row, now), client_secret: clientSecret };
}

/** The merchant's session, or 404. */
export const getSession = (q: Queryable, merchantId: string, id: string) => getOwned(q, 'sessions', merchantId, id);

/** A failed 3-D Secure challenge counts against card testing like a declined attempt. */
export async function countFailedAttempt(q: Queryable, id: string): Promise<void> {
  await q
    .updateTable('sessions')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/**
 * The session by its id alone, for the vault's own pages and flows that reach it from one of its rows
 * (a challenge, a client secret). Prepared: every request of the fields reads it (frame-auth.ts).
 */
export async function findSession(q: Queryable, id: string): Promise<SessionTable | undefined> {
  return (await selectSession(q, { id })).rows[0];
}

/** The same, for a session known to exist (read again after a move): throws if it does not. */
export async function readSession(q: Queryable, id: string): Promise<SessionTable> {
  const row = await findSession(q, id);
  if (!row) throw new Error(`session ${id} not found`);
  return row;
}

const selectSession = prepared((q, a: { id: string }) => q.selectFrom('sessions').selectAll().where('id', '=', a.id));

/**
 * Which of these cards a session of this merchant completed with (of this customer's sessions only,
 * when one is named): the cards this merchant has seen its customer use. One rule for waiving the CVC
 * (card-proof.ts) and for sending a saved card on (forward-saved-card.ts).
 */
export async function cardsCompletedBy(q: Queryable, merchantId: string, customer: string | undefined, tokens: string[]): Promise<Set<string>> {
  if (tokens.length === 0) return new Set();
  let query = q.selectFrom('sessions').select('card_token').distinct().where('merchant_id', '=', merchantId);
  if (customer !== undefined) query = query.where('customer', '=', customer);
  const rows = await query.where('status', '=', 'complete').where('card_token', 'in', tokens).execute();
  return new Set(rows.map((r) => r.card_token!));
}

/** Keeps on the session what the destination of its forward answered (masked by the caller), or that it failed. */
export async function recordForwardResult(q: Queryable, id: string, result: ForwardResult): Promise<void> {
  await q
    .updateTable('sessions')
    .set({ forward_result: JSON.stringify(result) })
    .where('id', '=', id)
    .execute();
}

/** The card a session completed with, saved or paid with; null for a guest's card or an incomplete session. */
export async function sessionCardToken(q: Queryable, id: string): Promise<string | null> {
  const row = await q.selectFrom('sessions').select('card_token').where('id', '=', id).executeTakeFirst();
  return row?.card_token ?? null;
}

/** What a customer's payment checkouts have under way (claimed since `liveSince`, not settled yet): a sum of amounts. */
export async function amountUnderWay(q: Queryable, groupId: string, customer: string, currency: string, liveSince: string): Promise<number> {
  const row = await q
    .selectFrom('sessions')
    .select((eb) => eb.fn.sum<number>('amount').as('total'))
    .where('group_id', '=', groupId)
    .where('customer', '=', customer)
    .where('mode', '=', 'payment')
    .where('currency', '=', currency)
    .where('status', '=', 'processing')
    .where('processing_since', '>', liveSince)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
