// POST /v1/customers/:customer/cards: the merchant imports a card the customer saved at another
// provider. A number the customer already has updates that card; the merchant hears of either.
// The day's limit on imports for one customer: save-limits.ts.
import type { z } from 'zod';
import type { CardImport } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import { ensureCustomer, noteCardSaved } from '../customers/customer-store.ts';
import { ApiError } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { binFacts } from '../payments/bin-facts.ts';
import { checkCard } from '../payments/card-checks.ts';
import { assertTestCardInTestMode } from '../payments/test-mode-cards.ts';
import { noteCardImport, saveCard, type LiveCard } from './card-store.ts';
import { assertImportWithinLimit } from './save-limits.ts';

export async function importCard(
  deps: Pick<Deps, 'db' | 'ring' | 'fingerprints'>,
  merchant: Merchant,
  customer: string,
  body: z.output<typeof CardImport>,
  now: Date,
): Promise<{ row: LiveCard; created: boolean }> {
  const checked = checkCard(body, now, 'card');
  assertTestCardInTestMode(merchant, checked.number, 'card.number');
  const { db, ring, fingerprints } = deps;
  return db.transaction().execute(async (trx) => {
    const owner = await ensureCustomer(trx, merchant.group_id, customer, now);
    if (owner.status === 'deny') throw new ApiError('customer_denied', 'This customer does not allow cards to be saved');
    const saved = await saveCard(trx, ring, fingerprints, {
      groupId: merchant.group_id,
      customer,
      card: { ...checked, holder: body.holder },
      bin: binFacts(checked.number.slice(0, 6)),
      source: 'import',
      now,
    });
    await noteCardSaved(trx, owner, saved.row.token, now);
    // Only the merchant that imported a card may record the agreement the customer gave elsewhere.
    await noteCardImport(trx, saved.row.token, merchant.id, now);
    // After noteCardSaved, whose update holds the customer's row until this commits.
    await assertImportWithinLimit(trx, merchant.group_id, customer, now);
    await emitEvent(trx, {
      merchantId: merchant.id,
      groupId: merchant.group_id,
      type: saved.created ? 'card.saved' : 'card.updated',
      now,
      data: { card: saved.row.token, customer, brand: saved.row.brand, last4: saved.row.last4, source: 'import' },
    });
    return saved;
  });
}
