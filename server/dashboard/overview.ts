// The dashboard overview's figures for one merchant: charges per UTC day (count, succeeded, failed,
// approval rate, volume per currency), declines by code, and the open invoices due soonest with
// whether the scheduler will pay them by itself. The charges are summed by the database in grouped
// queries over charges(merchant_id, created_at), so 100,000 charges cost no work per row here.
import { sql } from 'kysely';
import { z } from 'zod';
import { findCard } from '../cards/card-store.ts';
import { addDays, dayOf } from '../clock.ts';
import type { Deps } from '../context.ts';
import { getCustomer } from '../customers/customer-store.ts';
import { pickMandate } from '../jobs/scheduler.ts';
import type { Merchant } from '../merchants/merchant-store.ts';

export const OverviewQuery = z.strictObject({
  days: z.coerce.number().int().min(7).max(90).default(30),
});

export interface OverviewDay {
  date: string;
  charges: number;
  succeeded: number;
  failed: number;
  /** succeeded ÷ (succeeded + failed); null on a day without charges. */
  approval_rate: number | null;
  /** The succeeded amount per currency, in minor units. */
  volume: Record<string, number>;
}

/** Why the scheduler will not charge an invoice by itself. */
export type NotAutomatic = 'auto_pay_off' | 'past_due' | 'no_default_card' | 'no_mandate';

export interface UpcomingPayment {
  invoice: string;
  customer: string;
  amount: number;
  currency: string;
  due_date: string;
  automatic: boolean;
  /** The first day the scheduler will try it (its auto_pay_days window), when automatic. */
  charge_from: string | null;
  reason: NotAutomatic | null;
}

export interface Overview {
  days: number;
  from: string;
  to: string;
  /** The currency most charged in the range (the chart's), or null without charges. */
  currency: string | null;
  totals: Omit<OverviewDay, 'date'>;
  daily: OverviewDay[];
  declines: { code: string; count: number }[];
  upcoming: UpcomingPayment[];
}

const UPCOMING_LIMIT = 10;
const rate = (succeeded: number, failed: number) => (succeeded + failed ? succeeded / (succeeded + failed) : null);

export async function merchantOverview(deps: Deps, merchant: Merchant, days: number): Promise<Overview> {
  const to = dayOf(deps.clock());
  const from = addDays(to, -(days - 1));
  const since = `${from}T00:00:00.000Z`;
  const day = sql<string>`substr(created_at, 1, 10)`;

  // One scan, one row per day, currency, status and decline code: at most days × currencies × (1 +
  // codes) rows, whatever the number of charges. The code is null on a succeeded charge.
  const code = sql<string | null>`case when status = 'failed' then coalesce(decline_code, failure_code, 'unknown') end`;
  const groups = await deps.db
    .selectFrom('charges')
    .select([
      day.as('day'),
      'currency',
      'status',
      code.as('code'),
      (eb) => eb.fn.countAll<string | number>().as('n'),
      (eb) => eb.fn.sum<string | number>('amount').as('amount'),
    ])
    .where('merchant_id', '=', merchant.id)
    .where('created_at', '>=', since)
    .groupBy([day, 'currency', 'status', code])
    .execute();

  const daily = new Map<string, OverviewDay>();
  for (let d = from; d <= to; d = addDays(d, 1)) daily.set(d, { date: d, charges: 0, succeeded: 0, failed: 0, approval_rate: null, volume: {} });
  const totals: Overview['totals'] = { charges: 0, succeeded: 0, failed: 0, approval_rate: null, volume: {} };
  const perCurrency = new Map<string, number>();
  const declines = new Map<string, number>();
  for (const g of groups) {
    const row = daily.get(g.day);
    if (!row) continue; // a charge dated after today by a moved clock: not in the range
    const n = Number(g.n);
    for (const target of [row, totals]) {
      target.charges += n;
      if (g.status === 'succeeded') {
        target.succeeded += n;
        target.volume[g.currency] = (target.volume[g.currency] ?? 0) + Number(g.amount);
      } else target.failed += n;
    }
    perCurrency.set(g.currency, (perCurrency.get(g.currency) ?? 0) + n);
    if (g.code !== null) declines.set(g.code, (declines.get(g.code) ?? 0) + n);
  }
  for (const row of daily.values()) row.approval_rate = rate(row.succeeded, row.failed);
  totals.approval_rate = rate(totals.succeeded, totals.failed);
  const currency = [...perCurrency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;

  return {
    days,
    from,
    to,
    currency,
    totals,
    daily: [...daily.values()],
    declines: [...declines].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    upcoming: await upcomingPayments(deps, merchant, to),
  };
}

/** The merchant's open invoices due soonest, with the scheduler's own rules (scheduler.ts) applied to each. */
async function upcomingPayments(deps: Deps, merchant: Merchant, today: string): Promise<UpcomingPayment[]> {
  const invoices = await deps.db
    .selectFrom('invoices')
    .selectAll()
    .where('merchant_id', '=', merchant.id)
    .where('status', '=', 'open')
    .orderBy('due_date')
    .orderBy('id')
    .limit(UPCOMING_LIMIT)
    .execute();
  const out: UpcomingPayment[] = [];
  for (const invoice of invoices) {
    const reason = await whyNotAutomatic(deps, merchant, invoice, today);
    const windowOpens = addDays(invoice.due_date, -merchant.auto_pay_days);
    out.push({
      invoice: invoice.id,
      customer: invoice.customer,
      amount: Number(invoice.amount),
      currency: invoice.currency,
      due_date: invoice.due_date,
      automatic: reason === null,
      charge_from: reason === null ? (windowOpens > today ? windowOpens : today) : null,
      reason,
    });
  }
  return out;
}

async function whyNotAutomatic(deps: Deps, merchant: Merchant, invoice: Parameters<typeof pickMandate>[2], today: string): Promise<NotAutomatic | null> {
  if (!invoice.auto_pay) return 'auto_pay_off';
  // The scheduler only tries invoices due today or later; an overdue one is marked past due instead.
  if (invoice.due_date < today) return 'past_due';
  const customer = await getCustomer(deps.db, invoice.group_id, invoice.customer);
  const card = customer?.default_card ? await findCard(deps.db, invoice.group_id, invoice.customer, customer.default_card) : undefined;
  if (!card) return 'no_default_card';
  // The mandate must still be live on the day the window opens; today's check is the best we know.
  const from = addDays(invoice.due_date, -merchant.auto_pay_days);
  const mandate = await pickMandate(deps, merchant, invoice, card.token, from > today ? from : today);
  return mandate ? null : 'no_mandate';
}
