// One charge: what was charged and how it ended (the decline's codes and the provider's own answer
// when it failed), the card by its mask only, its refunds, and a refund of all or part of what is left.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ChargeView, RefundView } from '../../protocol/schemas/charges.ts';
import { api } from '../api.ts';
import { loadRefunds, RefundList } from '../payments/refunds.tsx';
import { RefundButton } from '../payments/refund-dialog.tsx';
import { cardLabel, money, when } from '../format.ts';
import { BASE, Link, type PageProps } from '../router.tsx';
import { Badge, Facts, Loading, Page, useLoad, ViewerNote } from '../ui.tsx';

const code = (value: string | null | undefined): ComponentChildren => (value ? <code>{value}</code> : '—');

function chargeFacts(c: ChargeView): [string, ComponentChildren][] {
  const rows: [string, ComponentChildren][] = [
    ['Amount', money(c.amount, c.currency)],
    ['Refunded', money(c.amount_refunded, c.currency)],
    ['Status', <Badge key="s" value={c.status} />],
    ['Date', when(c.created)],
    ['Card', cardLabel(c.card_details)],
    ['Customer', c.customer ? <Link href={`${BASE}/customers/${encodeURIComponent(c.customer)}`}>{c.customer}</Link> : '—'],
    ['Initiated by', c.initiator],
    ['Mandate', code(c.mandate)],
    ['Order', code(c.order)],
    ['Network transaction id', code(c.network_transaction_id)],
    ['Charge id', code(c.id)],
  ];
  if (c.failure) {
    rows.push(['Failure code', code(c.failure.code)]);
    rows.push(['Decline code', code(c.failure.decline_code)]);
    rows.push(['Failure message', c.failure.message]);
  }
  if (c.processor_response) rows.push(['Processor response', `${c.processor_response.code}: ${c.processor_response.message}`]);
  return rows;
}

export function ChargePage(props: PageProps) {
  const id = props.params.id;
  const charge = useLoad(() => api.get<ChargeView>(`/v1/charges/${encodeURIComponent(id)}`), id);
  const [done, setDone] = useState<RefundView>();
  const refreshed = `${id}|${charge.data?.amount_refunded ?? ''}`;
  const refunds = useLoad(() => (charge.data ? loadRefunds(charge.data) : Promise.resolve(undefined)), refreshed);
  const onRefunded = (r: RefundView) => {
    setDone(r);
    charge.reload();
  };
  return (
    <Page title="Charge" actions={charge.data && <RefundButton charge={charge.data} onRefunded={onRefunded} />}>
      <p>
        <Link href={`${BASE}/charges`}>← All charges</Link>
      </p>
      <ViewerNote />
      {done && (
        <p class="notice" role="status">
          Refunded {money(done.amount, done.currency)} ({done.status}).
        </p>
      )}
      <Loading state={charge}>
        {(c) => (
          <>
            <div class="card">
              <Facts rows={chargeFacts(c)} />
            </div>
            <h2>Refunds</h2>
            <Loading state={refunds}>{(r) => (r ? <RefundList refunds={r} /> : null)}</Loading>
          </>
        )}
      </Loading>
    </Page>
  );
}
