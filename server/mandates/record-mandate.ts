// POST /v1/customers/:customer/mandates: the merchant records an agreement the customer gave at another
// provider, for a card this merchant imported. A card saved through the fields gets a mandate only from
// the customer, in the fields.
import type { z } from 'zod';
import type { MandateCreate } from '../../protocol/api.ts';
import { findCard, importedBy } from '../cards/card-store.ts';
import { dayOf } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { MandateTable } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { createMandate } from './mandate-store.ts';

export async function recordImportedMandate(
  db: Db,
  merchant: Merchant,
  customer: string,
  body: z.output<typeof MandateCreate>,
  now: Date,
): Promise<MandateTable> {
  if (body.min_amount > body.max_amount) throw new ApiError('parameter_invalid', 'min_amount must not exceed max_amount', { param: 'min_amount' });
  if (body.end_date < dayOf(now)) throw new ApiError('parameter_invalid', 'end_date must not be in the past', { param: 'end_date' });
  return db.transaction().execute(async (trx) => {
    const card = await findCard(trx, merchant.group_id, customer, body.card);
    if (!card) throw notFound('card', 'card');
    // A card saved through the fields (here or at a sister shop) gets a mandate only from the customer,
    // in the fields; an imported card only from the merchant that imported it.
    const imported = card.source === 'import' && (await importedBy(trx, card.token, merchant.id));
    if (!imported) {
      throw new ApiError(
        'mandate_violation',
        card.source === 'import'
          ? 'Only the merchant that imported this card may record an agreement for it'
          : 'This card was saved through the fields: only the customer can agree to a mandate on it, in the fields',
        { param: 'card' },
      );
    }
    // Only the id the other provider gave this agreement: never one of a charge the mandate did not come from.
    const ntid = body.consent.network_transaction_id ?? null;
    return createMandate(trx, {
      merchantId: merchant.id,
      groupId: merchant.group_id,
      customer,
      cardToken: card.token,
      terms: { min_amount: body.min_amount, max_amount: body.max_amount, frequency_days: body.frequency_days, end_date: body.end_date },
      currency: body.currency,
      networkTransactionId: ntid,
      consent: {
        text: body.consent.text,
        accepted_at: new Date(body.consent.accepted_at).toISOString(),
        origin: null,
        last4: card.last4,
        network_transaction_id: ntid,
        source: 'import',
      },
      lastChargeAt: null,
      now,
    });
  });
}
