// A rehearsal of the scheduler for a test-mode merchant: what one pass would do on another date, for
// its own invoices, mandates and its group's cards. It reads and never writes: no charge, no event,
// no message and no once-only notice is spent on a time the merchant chose.
import type { SchedulerPreview } from '../../protocol/api.ts';
import { TEST_MODE_LIVE_CARD } from '../../protocol/errors.ts';
import type { Deps } from '../context.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { dayOf } from '../clock.ts';
import { ApiError } from '../errors.ts';
import { overdueInvoiceIds } from '../invoices/invoice-store.ts';
import { lapsedMandateIds } from '../mandates/mandate-store.ts';
import { autoPayVerdict, expiringCards, inPaymentWindow, invoicesToTry } from './scheduler.ts';

/** Refuses a live merchant: its passes run on the real clock only. */
export async function previewSchedulerPass(deps: Deps, merchant: Merchant, now: Date): Promise<SchedulerPreview> {
  // Test mode is the merchant's livemode; a row whose keys are not test keys (written by hand) is refused too.
  if (merchant.livemode || !merchant.publishable_key.startsWith('pk_test_')) {
    throw new ApiError('parameter_invalid', 'now is for test mode only: a live pass runs on the real clock', { param: 'now' });
  }
  const today = dayOf(now);
  const preview: SchedulerPreview = { now: now.toISOString(), would_charge: [], would_notify: [], would_end_mandates: [], would_mark_past_due: [] };

  preview.would_end_mandates = await lapsedMandateIds(deps.db, merchant.id, today);
  preview.would_mark_past_due = await overdueInvoiceIds(deps.db, merchant.id, today);

  for (const invoice of await invoicesToTry(deps, today, merchant.id)) {
    if (!inPaymentWindow(merchant, invoice, today)) continue;
    // The pass's own rule (autoPayVerdict), as the pass would apply it today.
    const verdict = await autoPayVerdict(deps, merchant, invoice, today);
    const base = { invoice: invoice.id, customer: invoice.customer, amount: invoice.amount, currency: invoice.currency, due_date: invoice.due_date };
    const failed = { type: 'invoice.payment_failed', invoice: invoice.id, customer: invoice.customer } as const;
    if (verdict.reason === null) {
      // Charged on a later day of the window, when the mandate's frequency allows it: nothing happens today.
      if (verdict.from > today) continue;
      preview.would_charge.push({ ...base, card: verdict.card.token, mandate: verdict.mandate.id });
    } else if (verdict.reason === 'test_mode_live_card') {
      // The pass would try the card and be refused before the processor is asked: test mode takes test cards only.
      preview.would_notify.push({ ...failed, code: 'card_declined', decline_code: TEST_MODE_LIVE_CARD });
    } else if (verdict.reason === 'customer_denied') {
      preview.would_notify.push({ ...failed, code: 'customer_denied' });
    } else {
      // The pass would not charge: it would announce the failure and warn the customer.
      preview.would_notify.push({ ...failed, code: 'mandate_violation' });
    }
  }

  for (const { card, exp } of await expiringCards(deps, now, merchant.group_id)) {
    preview.would_notify.push({
      type: 'card.expiring',
      card: card.token,
      customer: card.customer,
      last4: card.last4,
      exp_month: exp.exp_month,
      exp_year: exp.exp_year,
    });
  }
  return preview;
}
