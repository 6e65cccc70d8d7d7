// How the shop writes a mandate (an agreement to charge a saved card without the customer present)
// for people: its amounts, how often, until when, on which card. Shared by /cards and /admin.
import type { CardView, MandateView } from '../protocol/api.ts';
import { maskedCard } from './card-names.ts';
import { daysAfter, formatDate, formatMoneyRange, formatTime } from './format.ts';
import { html, type Html } from './html.ts';

/** In the mandate's own currency; one recorded before mandates had a currency allows no charge, and says so. */
export function agreementAmounts(m: Pick<MandateView, 'min_amount' | 'max_amount' | 'currency'>): string {
  if (!m.currency) return 'no currency recorded: no automatic charge is allowed until the agreement is given again';
  return formatMoneyRange(m.min_amount, m.max_amount, m.currency);
}

export function agreementFrequency(days: number): string {
  if (days === 0) return 'at any time (card on file)';
  return days === 1 ? 'every day' : `every ${days} days`;
}

/** "$15.00 every 30 days": the agreement's headline. */
export function agreementTitle(m: MandateView): string {
  return `${agreementAmounts(m)} ${m.frequency_days === 0 ? 'per charge, at any time' : agreementFrequency(m.frequency_days)}`;
}

/** The card as the cards list shows it (masked), or its last four digits once it is deleted. */
export function agreementCard(m: MandateView, cards: readonly CardView[]): string {
  const card = cards.find((c) => c.token === m.card);
  return card ? maskedCard(card) : `Card •••• ${m.consent.last4} (deleted)`;
}

/** The first day a merchant-initiated charge may run again under the mandate's frequency, if it must wait. */
export function nextChargeFrom(m: MandateView, today: string): string | undefined {
  if (m.frequency_days === 0 || !m.last_charge_at) return undefined;
  const next = daysAfter(new Date(`${m.last_charge_at.slice(0, 10)}T00:00:00Z`), m.frequency_days);
  return next > today ? next : undefined;
}

export function statusBadge(status: string): Html {
  const kind =
    status === 'active' || status === 'paid' || status === 'succeeded'
      ? 'badge-default'
      : status === 'open' || status === 'queued'
        ? 'badge-warning'
        : 'badge-danger';
  return html`<span class="badge ${kind} status-${status.replace(/[^a-z_]/g, '')}">${status}</span>`;
}

function consentFacts(m: MandateView): Html {
  const acceptedAt = formatTime(m.consent.accepted_at);
  return html`<dt>Consent</dt><dd><q class="consent-text">${m.consent.text}</q> <span class="muted">accepted ${acceptedAt}</span></dd>`;
}

/** The facts of one agreement as a definition list. */
export function agreementFacts(m: MandateView, cards: readonly CardView[], options: { today: string; showConsent?: boolean }): Html {
  const next = m.status === 'active' ? nextChargeFrom(m, options.today) : undefined;
  const nextNote = next ? html` <span class="muted">(next one allowed from ${formatDate(next)})</span>` : '';
  return html`<dl class="facts agreement-facts">
    <dt>Card</dt><dd>${agreementCard(m, cards)}</dd>
    <dt>Amount per charge</dt><dd>${agreementAmounts(m)}</dd>
    <dt>How often</dt><dd>${agreementFrequency(m.frequency_days)}</dd>
    <dt>Ends</dt><dd>${formatDate(m.end_date)}</dd>
    <dt>Status</dt><dd>${statusBadge(m.status)}</dd>
    <dt>Last charge</dt><dd>${m.last_charge_at ? formatTime(m.last_charge_at) : 'none yet'}${nextNote}</dd>
    ${options.showConsent === false ? '' : consentFacts(m)}
    <dt>Reference</dt><dd><code>${m.id}</code></dd>
  </dl>`;
}
