// The open session as the fields show it (POST /frame/v1/session): the amount, the consent wording,
// and the saved cards the customer may pay with or give the session's agreement on, masked.
import type { FrameSavedCard, FrameSession, Recurring } from '../../protocol/api.ts';
import { cardExpiry, listCardsForView } from '../cards/card-store.ts';
import type { Deps } from '../context.ts';
import { getCustomer } from '../customers/customer-store.ts';
import type { SessionTable } from '../db/schema.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { isActive } from '../payments/card-checks.ts';
import { cvcWaivedFor } from '../payments/card-proof.ts';
import { assertSessionOpen, effectiveSaveCard } from '../payments/confirm-session.ts';
import { consentLocale, recurringConsentText } from '../payments/consent-wording.ts';
import { offersSavedCards, savedCardRefusal } from '../payments/saved-card-offer.ts';
import { hiddenInTestMode } from '../payments/test-mode-cards.ts';
import { sessionStatus } from './session-status.ts';
import { dayOf } from '../clock.ts';
import { formatAmount } from '../messages/message-templates.ts';
import { cardsWithLiveMandates } from '../mandates/mandate-store.ts';

/** `locale`: the language the fields asked for; else the customer's; else English. */
export async function frameSession(
  deps: Pick<Deps, 'db' | 'ring' | 'clock'>,
  merchant: Merchant,
  session: SessionTable,
  locale: string | undefined,
): Promise<FrameSession> {
  const { db, ring, clock } = deps;
  const now = clock();
  // A complete, expired or failed-out session reveals nothing more: not the saved cards, not the card it saved.
  assertSessionOpen(session, now);
  const customer = session.customer ? await getCustomer(db, session.group_id, session.customer) : undefined;
  let cards: FrameSavedCard[] = [];
  const recurring: Recurring | null = session.recurring ? JSON.parse(session.recurring) : null;
  if (offersSavedCards(session) && session.customer && customer && customer.status !== 'deny') {
    const offered = (await listCardsForView(db, session.group_id, session.customer))
      .filter((r) => !savedCardRefusal(merchant, session, r, customer) && !hiddenInTestMode(merchant, r))
      .map((row) => ({ row, exp: cardExpiry(ring, row) }))
      .filter(({ exp }) => isActive(exp, now));
    const waived = await cvcWaivedFor(
      db,
      merchant,
      session,
      offered.map(({ row }) => row.token),
    );
    const withAgreements = await cardsWithLiveMandates(
      db,
      offered.map(({ row }) => row.token),
      dayOf(now),
    );
    cards = offered.map(({ row, exp }) => ({
      token: row.token,
      brand: row.brand,
      bin: row.bin,
      last4: row.last4,
      exp_month: exp.exp_month,
      exp_year: exp.exp_year,
      need_cvc: !waived.has(row.token),
      default: row.is_default,
      agreements: withAgreements.has(row.token),
    }));
  }
  const wordingLocale = consentLocale(locale ?? customer?.locale);
  return {
    id: session.id,
    mode: session.mode as 'payment' | 'setup',
    status: sessionStatus(session, now),
    amount: session.amount,
    currency: session.currency,
    amount_text:
      session.mode === 'payment' && session.amount != null && session.currency ? formatAmount(session.amount, session.currency, wordingLocale) : null,
    order: session.order_ref,
    merchant: { name: merchant.name },
    save_card: effectiveSaveCard(session, customer),
    recurring,
    // The name the session was opened with: the mandate records these words as shown.
    consent_text: recurring ? recurringConsentText(recurring, session.currency, session.merchant_name ?? merchant.name, wordingLocale, 'new') : null,
    consent_text_saved_card: recurring
      ? recurringConsentText(recurring, session.currency, session.merchant_name ?? merchant.name, wordingLocale, 'saved')
      : null,
    cards,
    three_d_secure: merchant.three_d_secure,
    failed_attempts: session.failed_attempts,
    expires_at: session.expires_at,
  };
}
