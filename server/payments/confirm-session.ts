// Confirms a checkout session from the fields: a new card or a saved card with its CVC, the
// customer's consent to save, 3-D Secure, and the limits that stop card testing. PCI DSS 3.3.1: the
// CVC goes to the processor and is then gone; nothing here writes it anywhere.
import valid from 'card-validator';
import type { z } from 'zod';
import type { FrameConfirm, FrameConfirmResult, MaskedCardView } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { CustomerTable, SessionTable } from '../db/schema.ts';
import { ensureCustomer, getCustomer, noteCardSaved } from '../customers/customer-store.ts';
import { ApiError } from '../errors.ts';
import { emitEvent } from '../jobs/events.ts';
import { newId, randomSecret } from '../ids.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { cardSecret, findCard, saveCard, type LiveCard } from '../vault/card-store.ts';
import { fingerprintOf } from '../vault/vault-secrets.ts';
import { checkCard, isActive, type CheckedCard } from './card-checks.ts';
import { checkLimits, declineError, recordCharge } from './charge-store.ts';
import type { AuthorizeResult } from './processor.ts';

type ConfirmInput = z.output<typeof FrameConfirm>;

export const MAX_FAILED_ATTEMPTS = 5;
/** A setup session verifies the card with this authorisation, voided at once. */
const VERIFY_AMOUNT = 100;

interface Prepared {
  card: CheckedCard & { holder?: string; cvc?: string };
  saved?: LiveCard;
}

export function assertSessionOpen(session: SessionTable, now: Date): void {
  if (session.status === 'complete' || session.status === 'expired' || session.expires_at <= now.toISOString()) {
    throw new ApiError('session_expired', 'This checkout session has expired or is already complete');
  }
  if (session.failed_attempts >= MAX_FAILED_ATTEMPTS) {
    const retry = Math.max(1, Math.ceil((Date.parse(session.expires_at) - now.getTime()) / 1000));
    throw new ApiError('rate_limited', 'This session is closed after too many failed attempts; start a new checkout', { headers: { 'Retry-After': String(retry) } });
  }
}

/** What the consent box does for this session and customer: off, ask or require. */
export function effectiveSaveCard(session: SessionTable, customer: CustomerTable | undefined): 'off' | 'ask' | 'require' {
  if (!session.customer || customer?.status === 'deny') return 'off';
  return session.save_card as 'off' | 'ask' | 'require';
}

function checkConsent(session: SessionTable, customer: CustomerTable | undefined, save: boolean): void {
  const required = session.save_card === 'require';
  if (customer?.status === 'deny' && (required || save)) {
    throw new ApiError('customer_denied', 'This customer does not allow cards to be saved');
  }
  if (save && !session.customer) throw new ApiError('parameter_invalid', 'A guest checkout cannot save a card', { param: 'save' });
  if (save && session.save_card === 'off') throw new ApiError('parameter_invalid', 'This session does not offer saving the card', { param: 'save' });
  if (required && !save) {
    throw new ApiError('parameter_missing', 'The customer must give consent (tick the box) before this card can be used', { param: 'save' });
  }
}

async function prepareCard(deps: Deps, merchant: Merchant, session: SessionTable, body: ConfirmInput, now: Date): Promise<Prepared> {
  if (body.card && body.saved_card) throw new ApiError('parameter_invalid', 'Send either card or saved_card, not both', { param: 'saved_card' });
  if (body.card) return { card: { ...checkCard(body.card, 'card'), holder: body.card.holder, cvc: body.card.cvc } };
  if (!body.saved_card) throw new ApiError('parameter_missing', 'Send card (a new card) or saved_card (a saved one)', { param: 'card' });

  const saved = session.customer ? await findCard(deps.db, session.group_id, session.customer, body.saved_card.token) : undefined;
  if (!saved) throw new ApiError('resource_missing', 'No such saved card', { param: 'saved_card.token' });
  if (saved.source !== 'checkout') throw new ApiError('parameter_invalid', 'An imported card serves merchant-initiated charges only', { param: 'saved_card.token' });
  if (saved.successful_payments < merchant.one_click_after) throw new ApiError('parameter_invalid', 'This card is not offered for one-click payment yet', { param: 'saved_card.token' });
  const secret = cardSecret(deps.ring, saved);
  if (!isActive(secret, now)) throw new ApiError('expired_card', 'This saved card has expired');
  const cvc = body.saved_card.cvc;
  if (merchant.need_cvc && cvc === undefined) throw new ApiError('parameter_missing', 'Enter the card\'s security code', { param: 'saved_card.cvc' });
  if (cvc !== undefined && !valid.cvv(cvc, valid.number(secret.number).card?.code.size ?? 3).isValid) {
    throw new ApiError('invalid_cvc', 'The security code has the wrong length for this card', { param: 'saved_card.cvc' });
  }
  return { card: { number: secret.number, brand: saved.brand as CheckedCard['brand'], exp_month: secret.exp_month, exp_year: secret.exp_year, holder: secret.holder, cvc }, saved };
}

async function passedChallenge(deps: Deps, session: SessionTable, challengeId: string | undefined, fingerprint: string): Promise<boolean> {
  if (!challengeId) return false;
  const row = await deps.db.selectFrom('challenges').selectAll().where('id', '=', challengeId).where('session_id', '=', session.id).executeTakeFirst();
  if (!row || row.status !== 'passed' || row.fingerprint !== fingerprint) {
    throw new ApiError('authentication_required', 'The 3-D Secure challenge was not passed for this card');
  }
  return true;
}

export async function confirmSession(deps: Deps, merchant: Merchant, session: SessionTable, body: ConfirmInput): Promise<FrameConfirmResult> {
  const now = deps.clock();
  assertSessionOpen(session, now);
  const customer = session.customer ? await getCustomer(deps.db, session.group_id, session.customer) : undefined;
  const { card, saved } = await prepareCard(deps, merchant, session, body, now);
  const save = !saved && body.save;
  checkConsent(session, customer, saved ? session.save_card === 'require' || body.save : body.save);
  const payment = session.mode === 'payment';
  if (payment && customer) await checkLimits(deps.db, customer, session.amount!, now);
  const fingerprint = fingerprintOf(deps.fingerprintKey, session.group_id, card.number);
  const authenticated = await passedChallenge(deps, session, body.challenge, fingerprint);

  // One confirmation at a time per session: a second one in flight is told so.
  const claimed = await deps.db.updateTable('sessions').set({ status: 'processing' }).where('id', '=', session.id).where('status', '=', 'open').executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new ApiError('request_in_progress', 'This session is being confirmed already');
  let settled = false;
  try {
    let result: AuthorizeResult;
    try {
      result = await deps.processor.authorize({
        reference: `${session.id}:${randomSecret(9)}`,
        card: { number: card.number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc, holder: card.holder },
        amount: payment ? session.amount! : VERIFY_AMOUNT,
        currency: session.currency ?? 'USD',
        initiator: 'customer',
        stored_credential: Boolean(saved),
        capture: payment,
        authenticated,
        force_challenge: merchant.three_d_secure === 'always' && payment && !saved,
      });
    } catch (err) {
      deps.logger.error({ err, session: session.id }, 'processor call failed');
      result = { outcome: 'error', message: 'processor unreachable' };
    }
    const masked: MaskedCardView = { ...(saved ? { token: saved.token } : {}), brand: card.brand, bin: card.number.slice(0, 6), last4: card.number.slice(-4), exp_month: card.exp_month, exp_year: card.exp_year };

    if (result.outcome === 'challenge') {
      const challenge = newId('chl');
      await deps.db.insertInto('challenges').values({ id: challenge, session_id: session.id, fingerprint, status: 'pending', attempts: 0, created_at: now.toISOString() }).execute();
      return { status: 'requires_action', session: session.id, next_action: { type: 'three_d_secure', challenge, url: `${deps.publicUrl}/frame/3ds/${challenge}` } };
    }
    if (result.outcome === 'error') {
      await deps.db.updateTable('sessions').set({ failed_attempts: session.failed_attempts + 1 }).where('id', '=', session.id).execute();
      throw new ApiError('processor_unavailable', 'The payment processor could not complete the request; try again');
    }
    if (result.outcome === 'declined') {
      const declined = result;
      const charge = await deps.db.transaction().execute(async (trx) => {
        await trx.updateTable('sessions').set({ failed_attempts: session.failed_attempts + 1 }).where('id', '=', session.id).execute();
        if (!payment) return undefined;
        const row = await recordCharge(trx, chargeInput(session, masked, saved?.token ?? null, declined, now));
        await emitEvent(trx, { merchantId: merchant.id, groupId: session.group_id, type: 'charge.failed', data: { charge: row.id, session: session.id, code: declined.code, decline_code: declined.decline_code }, now });
        return row;
      });
      throw charge ? declineError(charge) : new ApiError(declined.code, declined.message, { decline_code: declined.decline_code });
    }

    if (!payment) await deps.processor.void(result.processor_id);
    const approved = result;
    const outcome = await deps.db.transaction().execute(async (trx) => {
      let token = saved?.token ?? null;
      let savedNow = false;
      if (save && session.customer) {
        const owner = customer ?? (await ensureCustomer(trx, session.group_id, session.customer, now));
        const { row, created } = await saveCard(trx, deps.ring, deps.fingerprintKey, {
          groupId: session.group_id, customer: session.customer, card, bin: deps.processor.binInfo(card.number.slice(0, 6)),
          source: 'checkout', networkTransactionId: approved.network_transaction_id, now,
        });
        token = row.token;
        savedNow = true;
        await noteCardSaved(trx, owner, row.token, now);
        await emitEvent(trx, { merchantId: merchant.id, groupId: session.group_id, type: created ? 'card.saved' : 'card.updated', data: { card: row.token, customer: session.customer, brand: row.brand, last4: row.last4 }, now });
      }
      const cardView: MaskedCardView = { ...masked, ...(token ? { token } : {}) };
      let chargeId: string | undefined;
      if (payment) {
        const row = await recordCharge(trx, chargeInput(session, cardView, token, approved, now));
        chargeId = row.id;
        if (token) await trx.updateTable('cards').set((eb) => ({ successful_payments: eb('successful_payments', '+', 1) })).where('token', '=', token).execute();
        await emitEvent(trx, { merchantId: merchant.id, groupId: session.group_id, type: 'charge.succeeded', data: { charge: row.id, session: session.id, amount: row.amount, currency: row.currency, customer: row.customer }, now });
      }
      if (body.challenge) await trx.updateTable('challenges').set({ status: 'used' }).where('id', '=', body.challenge).execute();
      await trx.updateTable('sessions').set({
        status: 'complete', charge_id: chargeId ?? null, card_token: token, card_masked: JSON.stringify(cardView), saved: savedNow ? 1 : 0, completed_at: now.toISOString(),
      }).where('id', '=', session.id).execute();
      await emitEvent(trx, { merchantId: merchant.id, groupId: session.group_id, type: 'session.completed', data: { session: session.id, charge: chargeId ?? null, card: token, saved: savedNow, order: session.order_ref }, now });
      return { chargeId, cardView, savedNow };
    });
    settled = true;
    return { status: 'succeeded', session: session.id, ...(outcome.chargeId ? { charge: outcome.chargeId } : {}), card: outcome.cardView, saved: outcome.savedNow };
  } finally {
    if (!settled) await deps.db.updateTable('sessions').set({ status: 'open' }).where('id', '=', session.id).where('status', '=', 'processing').execute();
  }
}

function chargeInput(session: SessionTable, card: MaskedCardView, token: string | null, result: Extract<AuthorizeResult, { outcome: 'approved' | 'declined' }>, now: Date) {
  return {
    merchantId: session.merchant_id, groupId: session.group_id, customer: session.customer, cardToken: token,
    cardMasked: { brand: card.brand, bin: card.bin, last4: card.last4, exp_month: card.exp_month, exp_year: card.exp_year },
    amount: session.amount!, currency: session.currency!, order: session.order_ref, initiator: 'customer' as const,
    mandateId: null, sessionId: session.id, processorRef: `${session.id}:${result.processor_id}`, result, now,
  };
}
