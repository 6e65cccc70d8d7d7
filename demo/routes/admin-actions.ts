// The back office's actions: "charge now", "create invoice" and "run the scheduler". Each one
// redirects back to /admin with its result (POST, redirect, GET: a reload repeats nothing).
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { daysAfter, formatDate, formatMoney, parseMoney } from '../catalog.ts';
import type { AdminFlash } from '../pages/admin.ts';
import { messagePage } from '../pages/message.ts';
import { VaultError } from '../vault-client.ts';
import { CARD_TOKEN, isCustomerNumber, MANDATE_ID, type ShopContext } from './context.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;

function adminUrl(customer: string | undefined, result?: string): string {
  const q = new URLSearchParams();
  if (customer) q.set('customer', customer);
  if (result) q.set('result', result);
  const text = q.toString();
  return text ? `/admin?${text}` : '/admin';
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
      const charge = await vault.createCharge({ customer, card, amount, currency: 'USD', mandate }, key);
      result = {
        kind: 'success',
        title: `Charge succeeded: ${formatMoney(charge.amount, charge.currency)}`,
        lines: [
          `Charge ${charge.id}, initiated by the ${charge.initiator}, under ${charge.mandate ?? 'no agreement'}.`,
          `Network transaction id ${charge.network_transaction_id ?? '—'}.`,
        ],
      };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      const e = err.error;
      if (e.charge) {
        result = {
          kind: 'error',
          title: `Charge declined: ${e.code}${e.decline_code ? ` (${e.decline_code})` : ''}`,
          lines: [`${e.message} The vault recorded the failed charge ${e.charge} (${what}).`],
        };
      } else if (err.status === 402) {
        result = {
          kind: 'error',
          title: `Charge refused by the vault: ${e.code}`,
          lines: [`${e.message} Nothing was sent to the card network and no charge was recorded (${what}).`],
        };
      } else {
        result = { kind: 'error', title: `The charge could not be made: ${e.code}`, lines: [`${e.message} (${what})`] };
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
      const invoice = await vault.createInvoice({
        customer,
        amount,
        currency: 'USD',
        due_date: dueDate,
        auto_pay: true,
        ...(description ? { description } : {}),
      });
      const title = `Invoice ${invoice.id} created: ${formatMoney(invoice.amount, invoice.currency)}, due ${formatDate(invoice.due_date)}`;
      result = {
        kind: 'success',
        title,
        lines: ["It is paid automatically from the customer's default card under an active agreement. Run the scheduler to try it now."],
      };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      result = { kind: 'error', title: `The invoice was not created: ${err.error.code}`, lines: [err.error.message] };
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  app.post('/admin/scheduler', async (c) => {
    const form = await c.req.parseBody();
    const customer = isCustomerNumber(form.customer) ? form.customer : undefined;
    let result: AdminFlash;
    try {
      const run = await vault.runScheduler();
      result = {
        kind: run.failed > 0 ? 'info' : 'success',
        title: 'The scheduler ran',
        lines: [
          `Invoices charged: ${run.charged} (paid ${run.paid}, failed ${run.failed}).`,
          `Invoices now past due: ${run.past_due}. Agreements ended: ${run.mandates_ended}. Cards announced as expiring: ${run.expiring}.`,
        ],
      };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      result = { kind: 'error', title: `The scheduler did not run: ${err.error.code}`, lines: [err.error.message] };
    }
    return c.redirect(adminUrl(customer, flash(result)), 303);
  });

  return app;
}
