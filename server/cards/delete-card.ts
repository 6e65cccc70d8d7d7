// Deleting a saved card, by the merchant or by the customer in the fields: the key is destroyed, its
// mandates end, the default moves to the next card, and the merchant hears of it, as does every sister
// shop whose mandate on the card ended with it. Once that commits, the database's storage is scrubbed
// of what the deletion left behind (within the contract's 10 s). The deletion waits for a charge of
// the customer that is at the processor (the customer's lease, customer-lease.ts): it is recorded on
// the card before the card is gone, and a charge begun after it finds no card.
import { scheduleScrub, type Db, type ScrubTable } from '../db/database.ts';
import type { SessionTable } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { emitEvent } from '../events/emit-event.ts';
import { endCardMandates } from '../mandates/mandate-store.ts';
import { destroyCard, findCard, listCards, type LiveCard } from './card-store.ts';
import { openCard, VaultDecryptError } from '../keys/envelope.ts';
import type { FingerprintKeys } from '../keys/fingerprint-keys.ts';
import { refreshFingerprintKeys } from '../keys/fingerprint-rotation.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { getCustomer, updateCustomer } from '../customers/customer-store.ts';
import { assertSessionOpen } from '../payments/confirm-session.ts';
import { betweenCustomerCharges } from '../payments/customer-lease.ts';

/** What opens a card and hashes its number: the key ring and the fingerprint keys. */
export interface CardKeys {
  ring: KeyRing;
  fingerprints: FingerprintKeys;
}

/**
 * The number's hash under every fingerprint key held: a 3-D Secure challenge made under another key
 * than the card's own fingerprint holds one of these. None when the card does not open (its key left
 * the ring): then only its own fingerprint is known.
 */
function hashesOf(keys: CardKeys, row: LiveCard): string[] {
  if (!row.wrapped_key || !row.pan_ct || !row.meta_ct || !row.key_version) return [];
  try {
    const sealed = { key_version: row.key_version, wrapped_key: row.wrapped_key, pan_ct: row.pan_ct, meta_ct: row.meta_ct };
    return keys.fingerprints.every(row.group_id, openCard(keys.ring, { token: row.token, groupId: row.group_id }, sealed).number);
  } catch (err) {
    if (err instanceof VaultDecryptError) return [];
    throw err;
  }
}

export async function deleteCard(
  db: Db,
  input: { merchantId: string; groupId: string; customer: string; token: string; by: 'merchant' | 'customer'; now: Date; allow?: (row: LiveCard) => boolean },
  keys: CardKeys,
): Promise<void> {
  const { groupId, customer, token, now } = input;
  let touched: ScrubTable[] = [];
  // A challenge made by a vault that took a new fingerprint key up before this one holds a hash under it.
  await refreshFingerprintKeys(db, keys.ring, keys.fingerprints);
  // Only the database is at hand here: the lease's own warnings go unlogged.
  await betweenCustomerCharges({ db }, groupId, customer, () =>
    db.transaction().execute(async (trx) => {
      const row = await findCard(trx, groupId, customer, token);
      if (!row || (input.allow && !input.allow(row))) throw notFound('card', 'token');
      touched = await destroyCard(trx, row, now, hashesOf(keys, row));
      // The contract: mandates on the card end with it, in the same transaction; those live today, that is
      // (one past its end date had ended already, and is not listed as ended by the deletion).
      const ended = await endCardMandates(trx, token, now);
      const owner = await getCustomer(trx, groupId, customer);
      if (owner?.default_card === token) {
        const next = (await listCards(trx, groupId, customer))[0];
        await updateCustomer(trx, groupId, customer, { default_card: next?.token ?? null }, now);
      }
      await emitEvent(trx, { merchantId: input.merchantId, groupId, type: 'card.deleted', data: { card: token, customer, by: input.by }, now });
      // A sister shop whose mandate ended hears of it too, in this transaction: the card it charges under
      // an agreement is gone. `by` tells it that it did not delete the card itself; `mandates` are its own.
      const others = new Map<string, string[]>();
      for (const m of ended) if (m.merchant_id !== input.merchantId) others.set(m.merchant_id, [...(others.get(m.merchant_id) ?? []), m.id]);
      const by = input.by === 'customer' ? 'customer' : 'sister_shop';
      for (const [merchantId, mandates] of others) {
        await emitEvent(trx, { merchantId, groupId, type: 'card.deleted', data: { card: token, customer, by, mandates }, now });
      }
    }),
  );
  scheduleScrub(db, touched);
}

/** The customer, in the fields of an open session: only a card saved through the fields, never an imported one. */
export async function deleteCardInFields(
  db: Db,
  input: { merchantId: string; session: SessionTable; token: string; now: Date },
  keys: CardKeys,
): Promise<void> {
  const { session, now } = input;
  assertSessionOpen(session, now);
  if (!session.customer) throw notFound('card', 'token');
  await deleteCard(
    db,
    {
      merchantId: input.merchantId,
      groupId: session.group_id,
      customer: session.customer,
      token: input.token,
      by: 'customer',
      now,
      allow: (row) => row.source === 'checkout',
    },
    keys,
  );
}
