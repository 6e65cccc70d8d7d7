// The scheduler: one pass pays the auto-pay invoices that are due soon (each at most once a day,
// whatever the number of instances), marks overdue invoices, stores lapsed mandates as ended and
// announces cards about to expire. The server runs a pass on a timer; POST /v1/scheduler/run runs one.
import type { NotAutomatic, SchedulerRun } from '../../protocol/api.ts';
import { cardExpiry, claimExpiringNotice, type DeletedCard, findCard, findDeletedCard, type LiveCard, unannouncedCards } from '../cards/card-store.ts';
import { addDays, DAY_MS, dayOf } from '../clock.ts';
import type { Deps } from '../context.ts';
import type { Queryable } from '../db/database.ts';
import type { ChargeTable, InvoiceTable, MandateTable } from '../db/schema.ts';
import { getCustomer } from '../customers/customer-store.ts';
import { ApiError } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import { markInvoicePaid, markPastDue } from '../invoices/invoice-status.ts';
import {
  claimInvoiceDay,
  claimPendingDay,
  forgetPendingRef,
  noteInvoiceFailure,
  restartInvoiceAttempt,
  pastDueWithPendingRef,
  releaseInvoiceDay,
  untriedAutoPayInvoices,
  type InvoiceAttempt,
} from '../invoices/invoice-store.ts';
import { mandateStatus } from '../mandates/mandate-status.ts';
import { activeMandatesOnCard, endLapsedMandates } from '../mandates/mandate-store.ts';
import { merchantIdsInGroup, type Merchant } from '../merchants/merchant-store.ts';
import { isExpiringSoon } from '../payments/card-checks.ts';
import { deleteChallengesBefore } from '../payments/challenges.ts';
import { fingerprintUpkeep } from '../keys/fingerprint-rotation.ts';
import { merchantCharge, type MerchantChargeRequest, nextChargeDay, outsideRange } from '../payments/merchant-charge.ts';
import { isSettled } from '../payments/processor.ts';
import { settleAbandonedRefunds } from '../payments/refund-charge.ts';
import { refusedInTestMode } from '../payments/test-mode-cards.ts';

export interface SchedulerOptions {
  /** Only this merchant's invoices and mandates, and its group's cards; default every merchant. */
  merchantId?: string;
}

/** The longest `auto_pay_days` a merchant may set: invoices due later are not looked at yet. */
const MAX_AUTO_PAY_DAYS = 60;

/** Open auto-pay invoices in the payment window that no pass has tried today (the merchant's own, or all). */
export const invoicesToTry = (deps: Pick<Deps, 'db'>, today: string, merchantId?: string) =>
  untriedAutoPayInvoices(deps.db, today, MAX_AUTO_PAY_DAYS, merchantId);

/** Whether a merchant's auto-pay window has opened for an invoice on this day. */
export const inPaymentWindow = (merchant: Merchant, invoice: InvoiceTable, today: string) => today >= addDays(invoice.due_date, -merchant.auto_pay_days);

/**
 * One pass on the vault's own clock: money and notices never run on a time a caller chose (a merchant
 * could otherwise date charges, skip a mandate's frequency or a customer's limits, or use up a sister
 * shop's once-only notices). To rehearse another date, see previewSchedulerPass.
 */
export async function runSchedulerPass(deps: Deps, options: SchedulerOptions = {}): Promise<SchedulerRun> {
  const now = deps.clock();
  const today = dayOf(now);
  const summary: SchedulerRun = { charged: 0, paid: 0, failed: 0, expiring: 0, mandates_ended: 0, past_due: 0 };
  let groupId: string | undefined;
  if (options.merchantId) {
    const merchant = await deps.merchants.byId(options.merchantId);
    if (!merchant) return summary;
    groupId = merchant.group_id;
  }

  summary.mandates_ended = await endLapsedMandates(deps.db, now, options.merchantId);
  // Sessions live at most a day: older 3-D Secure challenges serve nothing but hold a card's fingerprint.
  if (!options.merchantId) await deleteChallengesBefore(deps.db, new Date(now.getTime() - DAY_MS));
  // After a rotation: the cards a late vault saved under the old fingerprint key, and that key once unused.
  if (!options.merchantId) {
    const upkeep = await fingerprintUpkeep(deps);
    if (upkeep.moved || upkeep.retired.length) deps.logger.info(upkeep, 'fingerprint keys: cards moved to the newest, older keys deleted');
  }
  const only = options.merchantId;
  summary.past_due = await markPastDue(deps.db, (eb) => eb.and([eb('due_date', '<', today), ...(only ? [eb('merchant_id', '=', only)] : [])]));

  for (const invoice of await invoicesToTry(deps, today, options.merchantId)) {
    const merchant = await deps.merchants.byId(invoice.merchant_id);
    if (!merchant || !inPaymentWindow(merchant, invoice, today)) continue;
    try {
      const outcome = await payInvoice(deps, merchant, invoice, now);
      if (outcome === 'skipped' || outcome === 'retry') continue;
      summary.charged++;
      if (outcome === 'paid') summary.paid++;
      else if (outcome === 'failed') summary.failed++;
    } catch (err) {
      deps.logger.error({ invoice: invoice.id, error: (err as Error).message }, 'automatic payment of an invoice failed unexpectedly');
    }
  }

  for (const invoice of await pastDueWithPendingRef(deps.db, today, options.merchantId)) {
    const merchant = await deps.merchants.byId(invoice.merchant_id);
    if (!merchant) continue;
    try {
      const outcome = await settlePastDueAttempt(deps, merchant, invoice, today);
      if (outcome === 'paid') summary.paid++;
    } catch (err) {
      deps.logger.error({ invoice: invoice.id, error: (err as Error).message }, 'the lost attempt at a past-due invoice could not be settled');
    }
  }

  // Refunds whose answer was lost and that no retry settled: asked again under their own reference,
  // three of each merchant's and a minute at most a pass (a hanging processor takes its timeout each).
  try {
    await settleAbandonedRefunds(deps, { merchantId: options.merchantId }, { perMerchant: 3, budgetMs: 60_000 });
  } catch (err) {
    deps.logger.error({ error: (err as Error).message }, 'refunds left pending could not be settled');
  }

  summary.expiring = await announceExpiringCards(deps, now, groupId);
  return summary;
}

/**
 * A past-due invoice is never charged again, but an attempt at it whose answer was lost (on its due
 * date, say) may have taken the money: the processor ends that attempt, answering its result if it had
 * one. Money it took is recorded and pays the invoice; a decline is recorded; an attempt that took
 * nothing (and now never will) is forgotten. A processor that cannot be reached is asked the next day.
 */
async function settlePastDueAttempt(deps: Deps, merchant: Merchant, invoice: InvoiceTable, today: string): Promise<Outcome> {
  const pending = await claimPendingDay(deps.db, invoice.id, today);
  if (!pending) return 'skipped';
  const { reference } = pending;
  let known: Awaited<ReturnType<Deps['processor']['cancel']>>;
  try {
    known = await deps.processors.for(merchant).cancel(reference);
  } catch {
    return 'retry';
  }
  if (!isSettled(known)) {
    await forgetPendingRef(deps.db, invoice.id, reference);
    return 'skipped';
  }
  // Recorded on the card the attempt charged, deleted since or not.
  const card = await attemptCard(deps, invoice, pending.card);
  if (!card) {
    deps.logger.error({ invoice: invoice.id, reference }, 'a past-due invoice was charged but its card is gone: the charge is at the processor only');
    return 'retry';
  }
  const mandate = await pickMandate(deps, merchant, invoice, card.token, today);
  const row = await chargeInvoice(deps, merchant, invoice, { card, mandate, reference, known });
  if (!row) return 'skipped';
  if (row.status === 'succeeded') await message(deps, merchant, invoice, 'payment_approved', { last4: card.last4, charge: row.id });
  return row.status === 'succeeded' ? 'paid' : 'failed';
}

/**
 * The card an attempt charged: the one the invoice noted when the attempt was made, live or deleted
 * since; for an attempt made before the vault noted it, the customer's default card.
 */
async function attemptCard(deps: Deps, invoice: InvoiceTable, token: string | null): Promise<LiveCard | DeletedCard | undefined> {
  const { db } = deps;
  if (token) return (await findCard(db, invoice.group_id, invoice.customer, token)) ?? findDeletedCard(db, invoice.group_id, invoice.customer, token);
  const customer = await getCustomer(db, invoice.group_id, invoice.customer);
  return customer?.default_card ? findCard(db, invoice.group_id, invoice.customer, customer.default_card) : undefined;
}

type Outcome = 'paid' | 'failed' | 'retry' | 'skipped';

/** One day's attempt at an invoice, by the one instance that claims the day. */
async function payInvoice(deps: Deps, merchant: Merchant, invoice: InvoiceTable, now: Date): Promise<Outcome> {
  const today = dayOf(now);
  // The invoice came from invoicesToTry in its window: auto-pay on, due today or later, the mandate checked
  // as of today. Read before the claim, which notes the card a new attempt charges.
  const verdict = await autoPayVerdict(deps, merchant, invoice, today);
  // The mandate's frequency allows its charge on a later day of the window: nothing is tried, nor announced, before.
  if (verdict.reason === null && verdict.from > today) return 'skipped';
  const fresh = { reference: `invoice:${invoice.id}:${today}`, card: verdict.card?.token ?? null };
  let attempt = await claimInvoiceDay(deps.db, invoice.id, today, fresh);
  if (!attempt) return 'skipped';
  let { card, mandate }: { card?: LiveCard | DeletedCard; mandate?: MandateTable } = verdict;
  let known: MerchantChargeRequest['known'];

  if (attempt.resumed) {
    // An earlier attempt whose outcome was never recorded: a pass from before midnight that is still at
    // the processor, or a vault that died or lost the answer. Its own reference is charged again, never
    // a new one beside it: under the customer's lease merchantCharge finds that attempt's charge once
    // it is recorded, or asks the processor, which answers a reference it knows with its first result.
    let asked: Awaited<ReturnType<Deps['processor']['lookup']>>;
    try {
      asked = await deps.processors.for(merchant).lookup(attempt.reference);
    } catch {
      // Not even asked whether that attempt took money: nothing is charged, and the next pass asks again.
      await releaseInvoiceDay(deps.db, invoice, today, attempt);
      return 'retry';
    }
    if (!isSettled(asked) && attempt.card) {
      // The processor cannot say (Adyen cannot be asked without operating, Stripe while a payment is
      // processing): the attempt is sent again as it was made, on the card it charged, whatever today's
      // default card is (a provider answers a reused reference only for the same request). A card
      // deleted since, or left without a mandate, cannot be charged again: the processor then ends the
      // attempt, answering what it had.
      const same = await findCard(deps.db, invoice.group_id, invoice.customer, attempt.card);
      const agreed = same && (await pickMandate(deps, merchant, invoice, same.token, today));
      if (same && agreed) {
        card = same;
        mandate = agreed;
      } else {
        try {
          asked = await deps.processors.for(merchant).cancel(attempt.reference);
        } catch {
          await releaseInvoiceDay(deps.db, invoice, today, attempt);
          return 'retry';
        }
        // Ended having taken nothing: today's card is charged under today's own reference.
        if (!isSettled(asked)) attempt = await restartInvoiceAttempt(deps.db, invoice.id, attempt, fresh);
        if (!attempt) return 'skipped';
      }
    }
    if (isSettled(asked)) {
      // That attempt took the money, or was declined: recorded on the card it charged, whether the
      // customer has deleted it or chosen another default since.
      known = asked;
      card = await attemptCard(deps, invoice, attempt.card);
      if (!card) {
        deps.logger.error(
          { invoice: invoice.id, reference: attempt.reference },
          'an invoice was charged but its card is unknown: the charge is at the processor only',
        );
        return 'retry';
      }
      mandate = await pickMandate(deps, merchant, invoice, card.token, today);
    }
  }
  if (!card) return fail(deps, merchant, invoice, attempt, { code: 'mandate_violation', message: 'The customer has no default card to charge' });
  if (!attempt.resumed && !mandate) {
    // Without a mandate the card was never tried: the warning says there is no card to charge automatically.
    return fail(deps, merchant, invoice, attempt, { code: 'mandate_violation', message: `No active mandate in ${invoice.currency} covers the default card` });
  }

  let row: ChargeTable | undefined;
  try {
    row = await chargeInvoice(deps, merchant, invoice, { card, mandate, reference: attempt.reference, known });
  } catch (err) {
    if (!(err instanceof ApiError) || ['processor_unavailable', 'internal', 'request_in_progress', 'card_key_unavailable'].includes(err.code)) {
      // Not the customer's card but the vault, its key ring or the processor: no warning. When the processor may
      // have acted (unknown outcome) the day's claim and its reference stay, so the next pass takes the
      // reference up before charging anything; only a charge that never started gives the day back.
      if (err instanceof ApiError && err.code === 'request_in_progress') await releaseInvoiceDay(deps.db, invoice, today, attempt);
      deps.logger.warn({ invoice: invoice.id, error: (err as Error).message }, 'automatic payment postponed');
      return 'retry';
    }
    return fail(deps, merchant, invoice, attempt, {
      code: err.code,
      declineCode: err.extra.decline_code,
      message: err.message,
      last4: err.code === 'mandate_violation' ? undefined : card.last4,
    });
  }
  // Recorded by the pass that made the attempt (it finished while this one waited for the customer):
  // that pass settled the invoice and tells the customer.
  if (!row) return 'skipped';
  if (row.status === 'succeeded') await message(deps, merchant, invoice, 'payment_approved', { last4: card.last4, charge: row.id });
  else await message(deps, merchant, invoice, 'payment_failed', { last4: card.last4, code: row.failure_code });
  return row.status === 'succeeded' ? 'paid' : 'failed';
}

/**
 * Charges the invoice under `reference` (or records what the processor already answered for it), the
 * invoice settled in the charge's own transaction. Undefined when another pass recorded that charge.
 */
async function chargeInvoice(
  deps: Deps,
  merchant: Merchant,
  invoice: InvoiceTable,
  how: { card: LiveCard | DeletedCard; mandate: MandateTable | undefined; reference: string; known?: MerchantChargeRequest['known'] },
): Promise<ChargeTable | undefined> {
  let recordedHere = false;
  const row = await merchantCharge(deps, {
    merchant,
    customer: invoice.customer,
    card: how.card.token,
    amount: invoice.amount,
    currency: invoice.currency,
    order: invoice.id,
    mandate: how.mandate?.id,
    reference: how.reference,
    known: how.known,
    onRecorded: async (atomic, charged) => {
      recordedHere = true;
      await settleInvoice(await atomic.tx(), merchant, invoice, charged);
    },
  });
  return recordedHere ? row : undefined;
}

/** What the scheduler does with an invoice: charge it by itself with this card and mandate, or not, and why. */
export type AutoPayVerdict =
  | {
      reason: null;
      card: LiveCard;
      mandate: MandateTable /** The first day a pass charges it: today, or the day the window opens or the mandate's frequency allows. */;
      from: string;
    }
  | { reason: Exclude<NotAutomatic, 'no_mandate' | RefusedAtCharge>; card?: undefined; mandate?: undefined }
  | { reason: 'no_mandate'; card: LiveCard; mandate?: undefined }
  | { reason: RefusedAtCharge; card: LiveCard; mandate: MandateTable };

/** A verdict the charge itself would reach: the pass still tries it, and records the charge's own refusal. */
type RefusedAtCharge = 'outside_mandate' | 'customer_denied' | 'test_mode_live_card';

/**
 * The auto-pay rules, for a pass and for the dashboard's upcoming payments alike: the invoice's auto_pay
 * is on, it is not overdue (a pass marks it past due instead), the customer has a default card, and a
 * mandate of the merchant on that card in the invoice's currency is live on the day the payment window
 * opens, or today once it has opened. The charge would then still be refused for a customer set to
 * deny, or in test mode on the simulated processor for a card that is no test card: a pass tries it and
 * records the charge's own refusal (customer_denied, or card_declined with test_mode_live_card), so
 * the verdict names the reason and still hands it the card and mandate.
 */
export async function autoPayVerdict(deps: Deps, merchant: Merchant, invoice: InvoiceTable, today: string): Promise<AutoPayVerdict> {
  if (!invoice.auto_pay) return { reason: 'auto_pay_off' };
  if (invoice.due_date < today) return { reason: 'past_due' };
  const customer = await getCustomer(deps.db, invoice.group_id, invoice.customer);
  const card = customer?.default_card ? await findCard(deps.db, invoice.group_id, invoice.customer, customer.default_card) : undefined;
  if (!card) return { reason: 'no_default_card' };
  const windowOpens = addDays(invoice.due_date, -merchant.auto_pay_days);
  const firstTry = windowOpens > today ? windowOpens : today;
  const mandate = await pickMandate(deps, merchant, invoice, card.token, firstTry);
  if (!mandate) return { reason: 'no_mandate', card };
  // A monthly agreement charged at its checkout allows its next charge a month later, which may fall
  // inside the invoice's window: the pass waits for that day rather than be refused (and warn the
  // customer) on the days before it. Not allowed by the due date, the invoice is outside the mandate.
  const allowed = nextChargeDay(mandate);
  const from = allowed !== null && allowed > firstTry ? allowed : firstTry;
  // In merchantCharge's order: the mandate's amounts and frequency, the customer's deny, then the card.
  if (outsideRange(mandate, invoice.amount) || from > invoice.due_date) return { reason: 'outside_mandate', card, mandate };
  if (customer?.status === 'deny') return { reason: 'customer_denied', card, mandate };
  if (refusedInTestMode(deps.ring, merchant, card)) return { reason: 'test_mode_live_card', card, mandate };
  return { reason: null, card, mandate, from };
}

/** A live mandate of this merchant on the card in the invoice's currency, one whose range fits the invoice first. */
export async function pickMandate(deps: Deps, merchant: Merchant, invoice: InvoiceTable, token: string, today: string): Promise<MandateTable | undefined> {
  const rows = await activeMandatesOnCard(deps.db, { merchantId: merchant.id, customer: invoice.customer, cardToken: token, currency: invoice.currency });
  const live = rows.filter((m) => mandateStatus(m, today) === 'active');
  const score = (m: MandateTable) => (invoice.amount >= m.min_amount && invoice.amount <= m.max_amount ? 1 : 0);
  return live.sort((a, b) => score(b) - score(a))[0];
}

/**
 * In the charge's own transaction: the invoice follows the charge, and its event commits with both,
 * dated as the charge is. An invoice another charge paid already is not announced paid again.
 */
async function settleInvoice(trx: Queryable, merchant: Merchant, invoice: InvoiceTable, row: ChargeTable) {
  const now = new Date(row.created_at);
  const base = { merchantId: merchant.id, groupId: invoice.group_id, now };
  if (row.status === 'succeeded') {
    if (!(await markInvoicePaid(trx, invoice.id, { charge_id: row.id, paid_at: row.created_at }))) return;
    await emitEvent(trx, {
      ...base,
      type: 'invoice.paid',
      data: { invoice: invoice.id, customer: invoice.customer, charge: row.id, amount: invoice.amount, currency: invoice.currency },
    });
  } else {
    if (!(await noteInvoiceFailure(trx, invoice.id, { code: row.failure_code, declineCode: row.decline_code }, row.processor_ref))) return;
    await emitEvent(trx, {
      ...base,
      type: 'invoice.payment_failed',
      data: {
        invoice: invoice.id,
        customer: invoice.customer,
        charge: row.id,
        code: row.failure_code,
        decline_code: row.decline_code,
        due_date: invoice.due_date,
      },
    });
  }
}

/**
 * A failure found before any charge (no card, no mandate, a limit): recorded, announced, and the
 * customer warned, unless the invoice was paid meanwhile. Today's own reference was never sent, so it
 * is no longer pending; one taken up from an earlier day stays pending.
 */
async function fail(
  deps: Deps,
  merchant: Merchant,
  invoice: InvoiceTable,
  attempt: InvoiceAttempt,
  failure: { code: string; declineCode?: string; message: string; last4?: string },
): Promise<Outcome> {
  const noted = await deps.db.transaction().execute(async (trx) => {
    if (
      !(await noteInvoiceFailure(
        trx,
        invoice.id,
        { code: failure.code, declineCode: failure.declineCode ?? null },
        attempt.resumed ? undefined : attempt.reference,
        attempt.day,
      ))
    )
      return false;
    await emitEvent(trx, {
      merchantId: merchant.id,
      groupId: invoice.group_id,
      type: 'invoice.payment_failed',
      now: deps.clock(),
      data: {
        invoice: invoice.id,
        customer: invoice.customer,
        charge: null,
        code: failure.code,
        // A refusal before the processor was asked (test mode's test_mode_live_card) says why, as a charge's decline does.
        decline_code: failure.declineCode ?? null,
        message: failure.message,
        due_date: invoice.due_date,
      },
    });
    return true;
  });
  if (!noted) return 'skipped';
  await message(deps, merchant, invoice, 'payment_failed', { last4: failure.last4, code: failure.code });
  return 'failed';
}

/** After the commit, never inside it: the messenger writes through the database itself. */
async function message(
  deps: Deps,
  merchant: Merchant,
  invoice: InvoiceTable,
  template: 'payment_approved' | 'payment_failed',
  extra: Record<string, string | number | null | undefined>,
) {
  await deps.messenger
    .send({
      merchantId: merchant.id,
      groupId: invoice.group_id,
      customer: invoice.customer,
      template,
      data: {
        merchant: merchant.name,
        invoice: invoice.id,
        amount: invoice.amount,
        currency: invoice.currency,
        due_date: invoice.due_date,
        description: invoice.description,
        ...extra,
      },
    })
    .catch((err: Error) => deps.logger.warn({ invoice: invoice.id, template, error: err.message }, 'customer message failed'));
}

/**
 * `card.expiring`, once per card that expires before the end of next month: the conditional update
 * claims the card, and every merchant of its group hears of it in the same transaction.
 */
async function announceExpiringCards(deps: Deps, now: Date, groupId?: string): Promise<number> {
  let announced = 0;
  for (const { card, exp } of await expiringCards(deps, now, groupId)) {
    const claimed = await deps.db.transaction().execute(async (trx) => {
      if (!(await claimExpiringNotice(trx, card.token))) return false;
      for (const merchantId of await merchantIdsInGroup(trx, card.group_id)) {
        await emitEvent(trx, {
          merchantId,
          groupId: card.group_id,
          type: 'card.expiring',
          now,
          data: { card: card.token, customer: card.customer, brand: card.brand, last4: card.last4, exp_month: exp.exp_month, exp_year: exp.exp_year },
        });
      }
      return true;
    });
    if (claimed) announced++;
  }
  return announced;
}

/** Saved cards not yet announced that expire before the end of next month, as of `now`. */
export async function expiringCards(deps: Pick<Deps, 'db' | 'ring' | 'logger'>, now: Date, groupId?: string) {
  const found = [];
  for (const card of await unannouncedCards(deps.db, groupId)) {
    if (!card.key_version || !card.wrapped_key || !card.meta_ct) continue;
    let exp: { exp_month: number; exp_year: number };
    try {
      exp = cardExpiry(deps.ring, { ...card, key_version: card.key_version, wrapped_key: card.wrapped_key, meta_ct: card.meta_ct });
    } catch (err) {
      deps.logger.error({ card: card.token, error: (err as Error).name }, 'card expiry could not be read');
      continue;
    }
    if (isExpiringSoon(exp, now)) found.push({ card, exp });
  }
  return found;
}

/**
 * Runs a pass over every merchant every `intervalMs`, never two at once in this process. `stop()`
 * clears the timer and waits for a pass in flight, so the database can be closed after it.
 */
export function startScheduler(deps: Deps, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runSchedulerPass(deps)
      .then((summary) => {
        if (summary.charged || summary.expiring || summary.mandates_ended || summary.past_due) deps.logger.info({ summary }, 'scheduler pass');
      })
      .catch((err: Error) => deps.logger.error({ error: err.message }, 'scheduler pass failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
