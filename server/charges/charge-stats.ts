// A merchant's charges summed over a range of UTC days, for the dashboard's overview: per day the count,
// succeeded, failed, approval rate and volume per currency, and the declines by code. The database sums
// them in one grouped query over charges(merchant_id, created_at), so 100,000 charges cost no work per row here.
import { sql } from 'kysely';
import type { Overview, OverviewDay } from '../../protocol/api.ts';
import { addDays } from '../clock.ts';
import type { Queryable } from '../db/database.ts';

export type ChargeStats = Pick<Overview, 'currency' | 'totals' | 'daily' | 'declines'>;

const rate = (succeeded: number, failed: number) => (succeeded + failed ? succeeded / (succeeded + failed) : null);

/** The merchant's charges from `from` to `to` (UTC days, both included), a row for every day, empty ones too. */
export async function chargeStats(q: Queryable, merchantId: string, from: string, to: string): Promise<ChargeStats> {
  const day = sql<string>`substr(created_at, 1, 10)`;
  // One scan, one row per day, currency, status and decline code: at most days × currencies × (1 +
  // codes) rows, whatever the number of charges. The code is null on a succeeded charge.
  const code = sql<string | null>`case when status = 'failed' then coalesce(decline_code, failure_code, 'unknown') end`;
  const groups = await q
    .selectFrom('charges')
    .select([
      day.as('day'),
      'currency',
      'status',
      code.as('code'),
      (eb) => eb.fn.countAll<string | number>().as('n'),
      (eb) => eb.fn.sum<string | number>('amount').as('amount'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('created_at', '>=', `${from}T00:00:00.000Z`)
    .groupBy([day, 'currency', 'status', code])
    .execute();

  const daily = new Map<string, OverviewDay>();
  for (let d = from; d <= to; d = addDays(d, 1)) daily.set(d, { date: d, charges: 0, succeeded: 0, failed: 0, approval_rate: null, volume: {} });
  const totals: ChargeStats['totals'] = { charges: 0, succeeded: 0, failed: 0, approval_rate: null, volume: {} };
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

  return {
    currency: [...perCurrency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null,
    totals,
    daily: [...daily.values()],
    declines: [...declines].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
  };
}
