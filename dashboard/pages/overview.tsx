// The overview: the shop's charges over the last 7, 30 or 90 days (volume, approval rate, declines by
// code, each as a chart with its figures in words and in a table) and the invoices due soonest, with
// whether the scheduler will charge them by itself.
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { Overview, UpcomingPayment } from '../../protocol/schemas/dashboard.ts';
import { minorUnitDigits } from '../../protocol/money.ts';
import { api, query } from '../api.ts';
import { axis, Chart, ChartFigure, GREEN, inUtc, RED, utcDay } from '../charts.tsx';
import { day, money } from '../format.ts';
import { BASE, Link, type PageProps } from '../router.tsx';
import { Loading, Page, TableWrap, useLoad } from '../ui.tsx';

const RANGES = [7, 30, 90];
const FIRST_CHART = 'dashboard:first-chart';

/** The benchmark reads this mark: the moment the first chart has been drawn on this page load. */
function markFirstChart() {
  if (!performance.getEntriesByName(FIRST_CHART).length) performance.mark(FIRST_CHART);
}

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const digitsOf = minorUnitDigits;
/** "€1.2K" for an axis, where every pixel counts. */
function compactMoney(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, notation: 'compact' }).format(minor / 10 ** digitsOf(currency));
  } catch {
    return String(minor);
  }
}
const volumes = (v: Record<string, number>) =>
  Object.entries(v)
    .sort((a, b) => b[1] - a[1])
    .map(([c, amount]) => money(amount, c))
    .join(', ') || 'none';
/** Half a day either side, so the first and last day's points are not cut by the edges. */
const dayRange: uPlot.Scale['range'] = (_u, min, max) => [min - 43_200, max + 43_200];
const dayTicks = (_u: uPlot, splits: number[]) => splits.map((ts) => inUtc(ts).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' }));

const WHY: Record<NonNullable<UpcomingPayment['reason']>, string> = {
  auto_pay_off: 'Not set to pay automatically',
  past_due: 'Past due: not retried automatically',
  no_default_card: 'The customer has no default card',
  no_mandate: 'No mandate covers the default card',
  outside_mandate: "The amount, or the mandate's frequency, is outside what the customer agreed to",
  customer_denied: 'The customer does not allow saved cards to be charged',
  test_mode_live_card: 'Test mode: the default card is not a test card',
};

export function OverviewPage(props: PageProps) {
  const asked = Number(props.query.get('days'));
  const days = RANGES.includes(asked) ? asked : 30;
  const state = useLoad(() => api.get<Overview>(`/overview${query({ days })}`), String(days));
  const ranges = (
    <nav class="ov-ranges" aria-label="Range">
      {RANGES.map((n) => (
        <Link key={n} href={n === 30 ? BASE : `${BASE}?days=${n}`} aria-current={n === days ? 'page' : undefined}>
          {n} days
        </Link>
      ))}
    </nav>
  );
  return (
    <Page title="Overview" actions={ranges}>
      <Loading state={state}>{(o) => <Figures o={o} />}</Loading>
    </Page>
  );
}

function Figures(props: { o: Overview }) {
  const { o } = props;
  const range = `${day(o.from)} to ${day(o.to)} (UTC)`;
  return (
    <>
      <dl class="ov-stats">
        <div class="card">
          <dt>Charges</dt>
          <dd>{o.totals.charges}</dd>
        </div>
        <div class="card">
          <dt>Approval rate</dt>
          <dd>{percent(o.totals.approval_rate)}</dd>
        </div>
        <div class="card">
          <dt>Volume</dt>
          <dd>{volumes(o.totals.volume)}</dd>
        </div>
        <div class="card">
          <dt>Declined</dt>
          <dd>{o.totals.failed}</dd>
        </div>
      </dl>
      {o.totals.charges === 0 ? (
        <p class="card note" role="note">
          No charges from {range} yet. Payments made through your checkout appear here, with their volume, approval rate and declines.
        </p>
      ) : (
        <div class="ov-charts">
          <VolumeChart o={o} range={range} />
          <ApprovalChart o={o} range={range} />
          <DeclinesChart o={o} range={range} />
        </div>
      )}
      <Upcoming o={o} />
    </>
  );
}

function VolumeChart(props: { o: Overview; range: string }) {
  const { o } = props;
  const currency = o.currency ?? 'EUR';
  const data = useMemo<uPlot.AlignedData>(() => [o.daily.map((d) => utcDay(d.date)), o.daily.map((d) => d.volume[currency] ?? 0)], [o]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      tzDate: inUtc,
      legend: { show: false },
      scales: { x: { range: dayRange }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis(dayTicks), axis((_u, splits) => splits.map((v) => compactMoney(v, currency)), { size: 64 })],
      series: [{}, { label: `Volume (${currency})`, stroke: GREEN, width: 2, fill: 'rgba(0, 112, 79, 0.12)', points: { show: o.daily.length <= 31 } }],
    }),
    [o],
  );
  const others = Object.keys(o.totals.volume).filter((c) => c !== currency);
  return (
    <ChartFigure
      title={`Volume per day (${currency})`}
      caption={
        <>
          {money(o.totals.volume[currency] ?? 0, currency)} succeeded from {props.range}
          {others.length ? `; also ${volumes(Object.fromEntries(others.map((c) => [c, o.totals.volume[c]])))}, not drawn` : ''}.
        </>
      }
      chart={<Chart options={options} data={data} onDraw={markFirstChart} />}
      head={['Day', `Volume (${currency})`, 'Charges']}
      rows={o.daily.map((d) => [day(d.date), money(d.volume[currency] ?? 0, currency), d.charges])}
    />
  );
}

function ApprovalChart(props: { o: Overview; range: string }) {
  const { o } = props;
  const data = useMemo<uPlot.AlignedData>(
    () => [o.daily.map((d) => utcDay(d.date)), o.daily.map((d) => (d.approval_rate === null ? null : d.approval_rate * 100))],
    [o],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      tzDate: inUtc,
      legend: { show: false },
      scales: { x: { range: dayRange }, y: { range: [0, 100] } },
      axes: [axis(dayTicks), axis((_u, splits) => splits.map((v) => `${v}%`), { size: 52 })],
      series: [{}, { label: 'Approval rate', stroke: GREEN, width: 2, spanGaps: false, points: { show: true, size: 7 } }],
    }),
    [o],
  );
  return (
    <ChartFigure
      title="Approval rate per day"
      caption={
        `${percent(o.totals.approval_rate)} approved: ${o.totals.succeeded} of ${o.totals.charges} charges from ${props.range}. ` +
        'Days without charges are left blank.'
      }
      chart={<Chart options={options} data={data} />}
      head={['Day', 'Approval rate', 'Succeeded', 'Declined']}
      rows={o.daily.map((d) => [day(d.date), percent(d.approval_rate), d.succeeded, d.failed])}
    />
  );
}

function DeclinesChart(props: { o: Overview; range: string }) {
  const { o } = props;
  const labels = o.declines.map((d) => d.code.replace(/_/g, ' '));
  const data = useMemo<uPlot.AlignedData>(() => [o.declines.map((_, i) => i), o.declines.map((d) => d.count)], [o]);
  const long = labels.some((l) => l.length > 10) && labels.length > 2;
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
      },
      axes: [
        axis((_u, splits) => splits.map((i) => labels[i] ?? ''), { splits: () => labels.map((_, i) => i), ...(long ? { rotate: -30, size: 90 } : {}) }),
        axis((_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')), { size: 40 }),
      ],
      series: [
        {},
        { label: 'Declines', stroke: RED, fill: 'rgba(176, 0, 32, 0.75)', width: 0, points: { show: false }, paths: uPlot.paths.bars?.({ size: [0.6, 64] }) },
      ],
    }),
    [o],
  );
  const total = o.declines.reduce((s, d) => s + d.count, 0);
  return (
    <ChartFigure
      title="Declines by code"
      caption={total ? `${total} declined from ${props.range}; most often ${labels[0]} (${o.declines[0].count}).` : `No declines from ${props.range}.`}
      chart={total ? <Chart options={options} data={data} /> : null}
      head={['Code', 'Declines']}
      rows={o.declines.map((d) => [d.code, d.count])}
    />
  );
}

function Upcoming(props: { o: Overview }) {
  const { upcoming } = props.o;
  return (
    <section aria-labelledby="ov-upcoming">
      <h2 id="ov-upcoming">Upcoming automatic payments</h2>
      {upcoming.length === 0 ? (
        <p class="muted">No open invoices.</p>
      ) : (
        <TableWrap label="Upcoming automatic payments">
          <table>
            <thead>
              <tr>
                <th scope="col">Due</th>
                <th scope="col">Customer</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Paid automatically?</th>
              </tr>
            </thead>
            <tbody>
              {upcoming.map((u) => (
                <tr key={u.invoice}>
                  <td>{day(u.due_date)}</td>
                  <td>
                    <Link href={`${BASE}/customers/${encodeURIComponent(u.customer)}`}>{u.customer}</Link>
                  </td>
                  <td class="num">{money(u.amount, u.currency)}</td>
                  <td>
                    {u.automatic ? (
                      <>
                        <span class="badge good">Yes</span> <span>from {day(u.charge_from)}</span>
                      </>
                    ) : (
                      <>
                        <span class="badge muted">No</span>{' '}
                        <span>{u.reason === 'no_mandate' ? `${WHY.no_mandate} in ${u.currency}` : WHY[u.reason ?? 'auto_pay_off']}</span>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
