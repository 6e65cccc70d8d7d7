// POST /v1/customers/:customer/cards: the merchant imports a card the customer saved at another
// provider. A number the customer already has updates that card; the merchant hears of either.
//
// A sister shop sees a shared card's first six and last four digits, and an import of the card's own
// number answers that card (200, its token) where any other number makes a new one (201). So that
// trying the numbers between them (about 10^5 pass Luhn) cannot tell a shop the full number, the shops
// of a group import at most IMPORTS_PER_CUSTOMER_PER_DAY cards for one customer in any 24 hours, all of
// them together (sister shops cannot add up their guesses), counted in the database (every instance,
// and a merchant's own rate_limit 0, alike).
import type { z } from 'zod';
import type { CardImport } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import { ensureCustomer, noteCardSaved } from '../customers/customer-store.ts';
import { ApiError } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import type { Merchant } from '../merchants/merchant-store.ts';
import { binFacts } from '../payments/bin-facts.ts';
import { checkCard } from '../payments/card-checks.ts';
import { noteCardImport, recentImports, saveCard, type LiveCard } from './card-store.ts';

/** Cards a group's shops may import for one customer in any 24 hours: a migration imports one to a few. */
export const IMPORTS_PER_CUSTOMER_PER_DAY = 10;
const DAY_MS = 86_400_000;

export async function importCard(
  deps: Pick<Deps, 'db' | 'ring' | 'fingerprints'>,
  merchant: Merchant,
  customer: string,
  body: z.output<typeof CardImport>,
  now: Date,
): Promise<{ row: LiveCard; created: boolean }> {
  const checked = checkCard(body, now, 'card');
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
    // Counted after noteCardSaved, whose update holds the customer's row until this commits: concurrent
    // imports for one customer are counted one after another on PostgreSQL too. Over the limit, nothing
    // of this import stays.
    const since = new Date(now.getTime() - DAY_MS).toISOString();
    const recent = await recentImports(trx, { groupId: merchant.group_id, customer, since });
    if (recent.count > IMPORTS_PER_CUSTOMER_PER_DAY) {
      const retry = Math.max(1, Math.ceil((Date.parse(recent.earliest ?? now.toISOString()) + DAY_MS - now.getTime()) / 1000));
      throw new ApiError('rate_limited', `${IMPORTS_PER_CUSTOMER_PER_DAY} cards were imported for this customer in the last 24 hours; try again later`, {
        headers: { 'Retry-After': String(retry) },
      });
    }
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
