// `/admin`: the merchant's back office of the demo. Everything on it is done by the shop's server
// with the shop's secret key: charging a customer's saved card under an agreement, invoicing with
// automatic payment, running the vault's scheduler. A real shop keeps such a page behind its staff
// login; this demo has none and says so.
import type { CardView, ChargeView, InvoiceView, MandateView, MerchantView } from '../../protocol/api.ts';
import { agreementFacts, agreementTitle, statusBadge } from '../agreements.ts';
import { autopayCover } from '../autopay-cover.ts';
import { formatDate, formatMoney, formatTime, moneyInput } from '../format.ts';
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { autopayNotice } from './admin-autopay.ts';

/** The outcome of the last action, shown once after the redirect that follows it. */
export interface AdminFlash {
  kind: 'success' | 'error' | 'info';
  title: string;
  lines: string[];
}

export interface AdminPageData {
  /** The customer the page works on: chosen in the form, or the signed-in one. */
  customer?: string;
  customerError?: string;
  merchant?: Pick<MerchantView, 'name' | 'webhook_url' | 'auto_pay_days'>;
  cards: CardView[];
  mandates: MandateView[];
  invoices: InvoiceView[];
  charges: ChargeView[];
  today: string;
  /** Today + 2 days: the due date of the invoice the form creates. */
  dueDate: string;
  flash?: AdminFlash;
  /** A fresh Idempotency-Key for each "Charge now" form: a double submit charges once. */
  newKey(): string;
  defaultInvoice: { amount: number; description: string };
}

function flashBox(flash: AdminFlash): Html {
  const cls = flash.kind === 'success' ? 'notice notice-success' : flash.kind === 'error' ? 'notice notice-error' : 'notice';
  return html`<div id="admin-result" class="${cls} flash" role="${flash.kind === 'error' ? 'alert' : 'status'}">
    <p class="flash-title"><strong>${flash.title}</strong></p>
    ${flash.lines.length ? html`<ul>${flash.lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}
  </div>`;
}

function agreementItem(m: MandateView, data: AdminPageData & { customer: string }): Html {
  const headingId = `admin-agreement-${m.id}`;
  const form =
    m.status === 'active'
      ? html`<form method="post" action="/admin/charge" class="inline-form charge-form">
        <input type="hidden" name="customer" value="${data.customer}">
        <input type="hidden" name="mandate" value="${m.id}">
        <input type="hidden" name="card" value="${m.card}">
        <input type="hidden" name="idempotency_key" value="${data.newKey()}">
        <label for="amount-${m.id}">Amount (USD)</label>
        <input id="amount-${m.id}" name="amount" inputmode="decimal" required pattern="\\d{1,9}([.,]\\d{1,2})?" value="${moneyInput(m.max_amount)}" size="8">
        <button type="submit" class="button button-primary button-small">Charge now</button>
      </form>`
      : html`<p class="muted">This agreement is ${m.status}: no merchant-initiated charge succeeds under it.</p>`;
  return html`<li class="agreement" aria-labelledby="${headingId}">
    <h3 id="${headingId}">${agreementTitle(m)}</h3>
    ${agreementFacts(m, data.cards, { today: data.today, showConsent: false })}
    ${form}
  </li>`;
}

/** A table's header row; every column is a plain heading. */
function tableHead(columns: readonly string[]): Html {
  return html`<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>`;
}

/** One row's cells, each labelled with its column for the phone's one-column layout. */
function cells(columns: readonly string[], values: readonly (Html | string)[]): Html {
  return html`${values.map((v, i) => html`<td data-label="${columns[i]}">${v}</td>`)}`;
}

const INVOICE_COLUMNS = ['Invoice', 'For', 'Amount', 'Due', 'Status', 'Attempts', 'Charge / failure'];
const CHARGE_COLUMNS = ['Charge', 'When', 'Amount', 'Initiated by', 'Status', 'Agreement / order'];

/** The charge that paid an invoice, or the code of its last failure; a dash for neither. */
function invoiceOutcome(i: InvoiceView): Html {
  const charge = i.charge ? html`<code>${i.charge}</code>` : '';
  const failure = i.failure_code ? html`<span class="error">${i.failure_code}</span>` : '';
  return html`${charge}${failure}${!i.charge && !i.failure_code ? '—' : ''}`;
}

function invoicesTable(invoices: InvoiceView[]): Html {
  if (invoices.length === 0) return html`<p class="muted">No invoices yet.</p>`;
  return html`<div class="table-wrap" role="region" aria-labelledby="admin-invoices-heading" tabindex="0"><table class="table invoices">
    ${tableHead(INVOICE_COLUMNS)}
    <tbody>
      ${invoices.map(
        (i) =>
          html`<tr data-invoice="${i.id}">${cells(INVOICE_COLUMNS, [
            html`<code>${i.id}</code>`,
            i.description ?? '—',
            formatMoney(i.amount, i.currency),
            formatDate(i.due_date),
            html`${statusBadge(i.status)}${i.auto_pay ? html` <span class="muted">auto-pay</span>` : ''}`,
            html`${i.attempts}${i.last_attempt_on ? html` <span class="muted">(last ${formatDate(i.last_attempt_on)})</span>` : ''}`,
            invoiceOutcome(i),
          ])}</tr>`,
      )}
    </tbody>
  </table></div>`;
}

/** A failed charge's code, and the issuer's decline code when there is one. */
function chargeFailure(ch: ChargeView): Html | '' {
  if (!ch.failure) return '';
  const decline = ch.failure.decline_code ? ` / ${ch.failure.decline_code}` : '';
  return html` <span class="error">${ch.failure.code}${decline}</span>`;
}

function chargesTable(charges: ChargeView[]): Html {
  if (charges.length === 0) return html`<p class="muted">No charges yet.</p>`;
  return html`<div class="table-wrap" role="region" aria-labelledby="admin-charges-heading" tabindex="0"><table class="table charges">
    ${tableHead(CHARGE_COLUMNS)}
    <tbody>
      ${charges.map(
        (ch) =>
          html`<tr data-charge="${ch.id}">${cells(CHARGE_COLUMNS, [
            html`<code>${ch.id}</code>`,
            formatTime(ch.created),
            formatMoney(ch.amount, ch.currency),
            ch.initiator,
            html`${statusBadge(ch.status)}${chargeFailure(ch)}`,
            html`${ch.mandate ? html`<code>${ch.mandate}</code>` : ''} ${ch.order ? html`<code class="muted">${ch.order}</code>` : ''}`,
          ])}</tr>`,
      )}
    </tbody>
  </table></div>`;
}

function customerSections(ctx: PageContext, data: AdminPageData & { customer: string }): Html {
  const customer = data.customer;
  const invoiceAmount = moneyInput(data.defaultInvoice.amount);
  const cover = autopayCover(data.cards, data.mandates, 'USD');
  return html`
    <section class="card" aria-labelledby="admin-agreements-heading">
      <h2 id="admin-agreements-heading">Agreements of ${customer}</h2>
      <p class="muted">“Charge now” is a merchant-initiated charge of the agreement's card (<code>POST /v1/charges</code> with the
      agreement, and a fresh Idempotency-Key): the vault checks the amounts, the frequency and the end date before the card is charged.</p>
      ${
        data.mandates.length === 0
          ? html`<p class="muted">${customer} has no agreements. They come from the <a href="/subscribe">coffee club</a> or
          <a href="/autopay">automatic payments</a>, signed up to by the customer.</p>`
          : html`<ul class="agreements">${data.mandates.map((m) => agreementItem(m, data))}</ul>`
      }
    </section>

    <section class="card" aria-labelledby="admin-invoices-heading">
      <h2 id="admin-invoices-heading">Invoices of ${customer}</h2>
      ${autopayNotice(customer, ctx.customer, cover, data.merchant?.auto_pay_days)}
      <form method="post" action="/admin/invoices" class="inline-form invoice-form">
        <input type="hidden" name="customer" value="${customer}">
        <label for="invoice-amount">Amount (USD)</label>
        <input id="invoice-amount" name="amount" inputmode="decimal" required pattern="\\d{1,9}([.,]\\d{1,2})?" value="${invoiceAmount}" size="8">
        <label for="invoice-description">Description</label>
        <input id="invoice-description" name="description" maxlength="200" value="${data.defaultInvoice.description}" size="28">
        <button type="submit" class="button button-small">Create invoice due in 2 days</button>
      </form>
      <p class="hint">Due ${formatDate(data.dueDate)}, with <code>auto_pay</code>: the vault's scheduler charges it on its timer;
      “Run the scheduler now” below does it at once.</p>
      ${invoicesTable(data.invoices)}
    </section>

    <section class="card" aria-labelledby="admin-charges-heading">
      <h2 id="admin-charges-heading">Recent charges of ${customer}</h2>
      ${chargesTable(data.charges)}
    </section>`;
}

export function adminPage(ctx: PageContext, data: AdminPageData): string {
  const customerHint = ctx.customer
    ? html`Signed in as <strong>${ctx.customer}</strong>, shown unless you pick another.`
    : 'Pick any customer number; sign in to see your own by default.';
  const webhookTarget = data.merchant?.webhook_url
    ? html` (<code>${data.merchant.webhook_url}</code>)`
    : html` <span class="error">(no webhook URL is set for this merchant)</span>`;
  const outboxHref = `/outbox${data.customer ? `?customer=${encodeURIComponent(data.customer)}` : ''}`;
  const body = html`
    <h1>Merchant back office (demo)</h1>
    <p class="notice notice-warning admin-warning">This is the shop's side: every button here acts on the shop's server with its
    <strong>secret key</strong>. A real shop keeps such a page behind its staff login; <strong>this demo has no login</strong>, so
    anyone who can open the shop can use it.</p>
    ${data.flash ? flashBox(data.flash) : ''}

    <section class="card" aria-labelledby="admin-customer-heading">
      <h2 id="admin-customer-heading">Customer</h2>
      <form method="get" action="/admin" class="inline-form">
        <label for="admin-customer">Customer number</label>
        <input id="admin-customer" name="customer" maxlength="32" pattern="[A-Za-z0-9._@\\-]{1,32}" required value="${data.customer ?? ''}"
          ${data.customerError ? html`aria-invalid="true" aria-describedby="admin-customer-error"` : ''}>
        <button type="submit" class="button button-small">Show</button>
      </form>
      ${data.customerError ? html`<p id="admin-customer-error" class="error" role="alert">${data.customerError}</p>` : ''}
      <p class="hint">${customerHint}</p>
    </section>

    ${data.customer ? customerSections(ctx, { ...data, customer: data.customer }) : ''}

    <section class="card" aria-labelledby="admin-scheduler-heading">
      <h2 id="admin-scheduler-heading">Scheduler</h2>
      <p class="muted">One pass of the vault's scheduler for this shop (<code>POST /v1/scheduler/run</code>): it pays the auto-pay invoices
      that are due soon, marks overdue ones, ends lapsed agreements and announces cards about to expire.</p>
      <form method="post" action="/admin/scheduler">
        ${data.customer ? html`<input type="hidden" name="customer" value="${data.customer}">` : ''}
        <button type="submit" class="button">Run the scheduler now</button>
      </form>
    </section>

    <section class="card" aria-labelledby="admin-more-heading">
      <h2 id="admin-more-heading">What the vault told the shop and the customer</h2>
      <ul class="link-list">
        <li><a href="/webhooks">Webhooks</a>: the events the vault posted to the shop${webhookTarget}.</li>
        <li><a href="${outboxHref}">Outbox</a>: the e-mails and text messages the vault wrote to ${data.customer ?? 'customers'}.</li>
      </ul>
    </section>`;
  return layout(ctx, { title: 'Merchant back office', section: 'admin', body });
}
