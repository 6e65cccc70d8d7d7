// The dashboard overview's figures for one merchant: its charges per UTC day and declines by code
// (charges/charge-stats.ts), and the open invoices due soonest with whether the scheduler will pay them
// by itself, by the scheduler's own rules (autoPayVerdict in jobs/scheduler.ts).
import type { Overview, UpcomingPayment } from '../../protocol/api.ts';
import { chargeStats } from '../charges/charge-stats.ts';
import { addDays, dayOf } from '../clock.ts';
import type { Deps } from '../context.ts';
import { openInvoicesDueSoonest } from '../invoices/invoice-store.ts';
import { autoPayVerdict } from '../jobs/scheduler.ts';
import type { Merchant } from '../merchants/merchant-store.ts';

const UPCOMING_LIMIT = 10;

export async function merchantOverview(deps: Deps, merchant: Merchant, days: number): Promise<Overview> {
  const to = dayOf(deps.clock());
  const from = addDays(to, -(days - 1));
  const stats = await chargeStats(deps.db, merchant.id, from, to);
  return { days, from, to, ...stats, upcoming: await upcomingPayments(deps, merchant, to) };
}

async function upcomingPayments(deps: Deps, merchant: Merchant, today: string): Promise<UpcomingPayment[]> {
  const out: UpcomingPayment[] = [];
  for (const invoice of await openInvoicesDueSoonest(deps.db, merchant.id, UPCOMING_LIMIT)) {
    const verdict = await autoPayVerdict(deps, merchant, invoice, today);
    const { reason } = verdict;
    out.push({
      invoice: invoice.id,
      customer: invoice.customer,
      amount: Number(invoice.amount),
      currency: invoice.currency,
      due_date: invoice.due_date,
      automatic: reason === null,
      charge_from: verdict.reason === null ? verdict.from : null,
      reason,
    });
  }
  return out;
}
