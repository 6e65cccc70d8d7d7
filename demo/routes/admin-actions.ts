// The back office's actions: "charge now", "create invoice" and "run the scheduler". Each one
// redirects back to /admin with its result (POST, redirect, GET: a reload repeats nothing).
import crypto from 'node:crypto';
import { Hono } from 'hono';
import type { InvoiceView } from '../../protocol/api.ts';
import { amountCovered, autopayCover } from '../autopay-cover.ts';
import { maskedCard } from '../card-names.ts';
import { daysAfter, formatDate, formatMoney, formatMoneyRange, parseMoney } from '../format.ts';
import type { AdminFlash } from '../pages/admin.ts';
import { autopayMissing } from '../pages/admin-autopay.ts';
import { messagePage } from '../pages/message.ts';
import { VaultError, vaultProblem, type VaultClient } from '../vault-connection.ts';
import { CARD_TOKEN, isCustomerNumber, MANDATE_ID, type ShopContext } from './context.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;

function adminUrl(customer: string | undefined, result?: string): string {
  const q = new URLSearchParams();
  if (customer) q.set('customer', customer);
  if (result) q.set('result', result);
  const text = q.toString();
  return text ? `/admin?${text}` : '/admin';
}

/** An action the vault refused or could not take, as the page's result box says it. */
function failed(title: string, err: unknown, detail = ''): AdminFlash {
  const problem = vaultProblem(err);
  if (!problem) throw err;
  return { kind: 'error', title: `${title}: ${problem.code}`, lines: [`${problem.message}${detail}`] };
}

/** The result of a new invoice, saying whether the vault will pay it automatically and, if not, why. */
async function createdInvoice(vault: VaultClient, invoice: Pick<InvoiceView, 'id' | 'customer' | 'amount' | 'currency' | 'due_date'>): Promise<AdminFlash> {
  const title = `Invoice ${invoice.id} created: ${formatMoney(invoice.amount, invoice.currency)}, due ${formatDate(invoice.due_date)}`;
  const path = { customer: invoice.customer };
  const [{ data: cards }, { data: mandates }] = await Promise.all([
    vault.GET('/v1/customers/{customer}/cards', { params: { path } }),
    vault.GET('/v1/customers/{customer}/mandates', { params: { path } }),
  ]).catch(() => [{ data: undefined }, { data: undefined }]);
  if (!cards || !mandates) return { kind: 'success', title, lines: ['The vault pays it when it falls due if the customer agreed to automatic payments.'] };
  const cover = autopayCover(cards.data, mandates.data, invoice.currency);
  if (cover.kind !== 'covered') return { kind: 'info', title, lines: [`It will not be paid automatically: ${autopayMissing(invoice.customer, cover)}`] };
  if (!amountCovered(cover.mandate, invoice.amount)) {
    const range = formatMoneyRange(cover.mandate.min_amount, cover.mandate.max_amount, invoice.currency);
    return {
      kind: 'info',
      title,
      lines: [`It will not be paid automatically: the customer agreed to ${range} per payment, and the vault charges nothing outside that.`],
    };
  }
  return {
    kind: 'success',
    title,
    lines: [`It is paid automatically from ${maskedCard(cover.card)} under the customer's agreement. Run the scheduler to try it now.`],
  };
}

/** `flash` keeps a result for the page after the redirect and returns its id. */
export function adminActionRoutes(shop: ShopContext, flash: (result: AdminFlash) => string): Hono {
  const { vault } = shop;
  const app = new Hono();

  /** "Charge now": a merchant-initiated charge of the agreement's card, in USD, with the form's Idempotency-Key. */
  app.post('/admin/charge', async (c) => {
    const ctx = shop.pageContext(c);
    const form = await c.req.parseBody();
    const { customer, mandate, card } = form;
    const amount = parseMoney(form.amount);
    const back = { href: adminUrl(isCustomerNumber(customer) ? customer : undefined), label: 'Back to the back office' };
    if (!isCustomerNumber(customer) || typeof mandate !== 'string' || !MANDATE_ID.test(mandate) || typeof card !== 'string' || !CARD_TOKEN.test(card)) {
      return c.html(messagePage(ctx, { title: 'Nothing to charge', message: 'The form named no customer, agreement and card.', back }), 400);
    }
    if (amount === undefined) {
      return c.html(messagePage(ctx, { title: 'No amount', message: 'Enter the amount to charge in USD, such as 15.00.', back }), 400);
    }
    const key = typeof form.idempotency_key === 'string' && IDEMPOTENCY_KEY.test(form.idempotency_key) ? form.idempotency_key : crypto.randomUUID();
    const what = `${formatMoney(amount, 'USD')} to ${customer}'s card under ${mandate}`;
    let result: AdminFlash;
    try {
      const { data: charge } = await vault.POST('/v1/charges', {
        params: { header: { 'Idempotency-Key': key } },
        body: { customer, card, amount, currency: 'USD', mandate },
      });
      result = {
        kind: 'success',
        title: `Charge succeeded: ${formatMoney(charge.amount, charge.currency)}`,
        lines: [
          `Charge ${charge.id}, initiated by the ${charge.initiator}, under ${charge.mandate ?? 'no agreement'}.`,
          `Network transaction id ${charge.network_transaction_id ?? '—'}.`,
        ],
      };
    } catch (err) {
      // A decline by the card network names the failed charge the vault recorded for this very request;
      // a refusal before the network (mandate, limits) names none, and recorded none.
      if (err instanceof VaultError && err.charge) {
        result = {
          kind: 'error',
          title: `Charge declined: ${err.code}${err.decline_code ? ` (${err.decline_code})` : ''}`,
          lines: [`${err.message} The vault recorded the failed charge ${err.charge} (${what}).`],
        };
      } else if (err instanceof VaultError && err.status === 402) {
        result = {
          kind: 'error',
          title: `Charge refused by the vault: ${err.code}`,
          lines: [`${err.message} Nothing was sent to the card network and no charge was recorded (${what}).`],
        };
      } else {
        result = failed('The charge could not be made', err, ` (${what})`);
      }
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  app.post('/admin/invoices', async (c) => {
    const ctx = shop.pageContext(c);
    const form = await c.req.parseBody();
    const customer = form.customer;
    const amount = parseMoney(form.amount);
    const description = typeof form.description === 'string' && form.description.trim() ? form.description.trim().slice(0, 200) : undefined;
    const back = { href: adminUrl(isCustomerNumber(customer) ? customer : undefined), label: 'Back to the back office' };
    if (!isCustomerNumber(customer)) return c.html(messagePage(ctx, { title: 'No customer', message: 'The form named no customer to invoice.', back }), 400);
    if (amount === undefined) return c.html(messagePage(ctx, { title: 'No amount', message: 'Enter the invoice amount in USD, such as 25.00.', back }), 400);
    const dueDate = daysAfter(new Date(), 2);
    let result: AdminFlash;
    try {
      const body = { customer, amount, currency: 'USD', due_date: dueDate, auto_pay: true, ...(description ? { description } : {}) };
      const { data: invoice } = await vault.POST('/v1/invoices', { body });
      result = await createdInvoice(vault, invoice);
    } catch (err) {
      result = failed('The invoice was not created', err);
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  app.post('/admin/scheduler', async (c) => {
    const form = await c.req.parseBody();
    const customer = isCustomerNumber(form.customer) ? form.customer : undefined;
    let result: AdminFlash;
    try {
      const { data: run } = await vault.POST('/v1/scheduler/run', { body: {} });
      // Without `now` the vault runs the pass and answers what it did.
      if (!('charged' in run)) throw new Error('the scheduler answered a preview to a run');
      result = {
        kind: run.failed > 0 ? 'info' : 'success',
        title: 'The scheduler ran',
        lines: [
          `Invoices charged: ${run.charged} (paid ${run.paid}, failed ${run.failed}).`,
          `Invoices now past due: ${run.past_due}. Agreements ended: ${run.mandates_ended}. Cards announced as expiring: ${run.expiring}.`,
        ],
      };
    } catch (err) {
      result = failed('The scheduler did not run', err);
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  return app;
}
