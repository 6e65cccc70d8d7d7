// What the back office says about a customer's automatic payments before an invoice is created:
// paid from which card within which amounts, or why the vault will not charge it and where the
// customer gives the agreement it needs.
import { agreementAmounts } from '../agreements.ts';
import type { AutopayCover } from '../autopay-cover.ts';
import { maskedCard } from '../card-names.ts';
import { html, type Html } from '../html.ts';

type Missing = Exclude<AutopayCover, { kind: 'covered' }>;

/** Why invoices to this customer are not paid automatically, in one or two sentences. */
export function autopayMissing(customer: string, cover: Missing): string {
  if (cover.kind === 'no_card') {
    return (
      `${customer} has no saved card. The vault pays an invoice automatically only from the customer's default card, ` +
      'under their agreement to automatic payments.'
    );
  }
  if (cover.kind === 'other_card') {
    const agreed = cover.agreedCard ? maskedCard(cover.agreedCard) : 'another card';
    return `${customer} agreed to automatic payments with ${agreed}, but invoices are charged to the default card, ${maskedCard(cover.card)}.`;
  }
  return (
    `${customer} has not agreed to automatic payments. The vault charges an invoice only under such an agreement on the default card ` +
    `(${maskedCard(cover.card)}); without one it does not charge it, reports mandate_violation and warns the customer.`
  );
}

/** Where the customer fixes it: their own pages, which the demo opens signed in as them. */
function fixLink(customer: string, signedIn: string | undefined, cover: Missing): Html {
  const page = cover.kind === 'other_card' ? '/cards' : '/autopay';
  const href = customer === signedIn ? page : `/sign-in?next=${encodeURIComponent(page)}&customer=${encodeURIComponent(customer)}`;
  const label = cover.kind === 'other_card' ? 'Make it the default card' : 'Set up automatic payments';
  const as = customer === signedIn ? '' : html` <span class="muted">(signs you in as ${customer})</span>`;
  return html`<a class="button button-small" href="${href}">${label}</a>${as}`;
}

/** The box above the invoice form. */
export function autopayNotice(customer: string, signedIn: string | undefined, cover: AutopayCover, autoPayDays: number | undefined): Html {
  const when = autoPayDays === undefined ? 'before they are due' : `from ${autoPayDays} days before they are due`;
  if (cover.kind === 'covered') {
    return html`<p class="notice autopay-status" id="autopay-status">Invoices to ${customer} are paid automatically from
      <strong>${maskedCard(cover.card)}</strong>, ${when}, within the customer's agreement: ${agreementAmounts(cover.mandate)} per payment.</p>`;
  }
  const who = cover.kind === 'other_card' ? 'Only the customer can change the default card.' : 'Only the customer can agree, in the card fields.';
  return html`<div class="notice notice-warning autopay-status" id="autopay-status">
    <p><strong>Not paid automatically.</strong> ${autopayMissing(customer, cover)} ${who}</p>
    <p class="autopay-fix">${fixLink(customer, signedIn, cover)}</p>
  </div>`;
}
