// Saved cards: sealed on write, found again by fingerprint, opened only to charge, destroyed on delete.
import type { Transaction } from 'kysely';
import type { CardView } from '../../protocol/api.ts';
import type { Db } from '../db/database.ts';
import type { CardTable, Database } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { isActive, isExpiringSoon, type CheckedCard } from '../payments/card-checks.ts';
import type { BinInfo } from '../payments/processor.ts';
import { openCard, openCardMeta, resealMeta, sealCard, type CardSecret, type SealedCard } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';
import { fingerprintOf } from './vault-secrets.ts';

type Q = Db | Transaction<Database>;

export interface LiveCard extends CardTable {
  key_version: string;
  wrapped_key: string;
  pan_ct: string;
  meta_ct: string;
}

const sealedOf = (row: LiveCard): SealedCard => row;
const bindingOf = (row: CardTable) => ({ token: row.token, groupId: row.group_id });

export async function findCard(q: Q, groupId: string, customer: string, token: string): Promise<LiveCard | undefined> {
  const row = await q.selectFrom('cards').selectAll()
    .where('token', '=', token).where('group_id', '=', groupId).where('customer', '=', customer).where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row as LiveCard | undefined;
}

export async function listCards(q: Q, groupId: string, customer: string): Promise<LiveCard[]> {
  return (await q.selectFrom('cards').selectAll()
    .where('group_id', '=', groupId).where('customer', '=', customer).where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('token').execute()) as LiveCard[];
}

export function cardExpiry(ring: KeyRing, row: LiveCard) {
  return openCardMeta(ring, bindingOf(row), sealedOf(row));
}

/** The full card, for the processor only. */
export function cardSecret(ring: KeyRing, row: LiveCard): CardSecret {
  return openCard(ring, bindingOf(row), sealedOf(row));
}

export function toCardView(ring: KeyRing, row: LiveCard, opts: { now: Date; needCvc: boolean; defaultCard: string | null }): CardView {
  const { exp_month, exp_year } = cardExpiry(ring, row);
  return {
    token: row.token,
    bin: row.bin,
    last4: row.last4,
    brand: row.brand,
    issuer: row.issuer,
    country: row.country,
    exp_month,
    exp_year,
    active: isActive({ exp_month, exp_year }, opts.now),
    expiring_soon: isExpiringSoon({ exp_month, exp_year }, opts.now),
    need_cvc: opts.needCvc,
    default: row.token === opts.defaultCard,
    successful_payments: row.successful_payments,
    source: row.source as CardView['source'],
    created_at: row.created_at,
  };
}

export interface SaveCardInput {
  groupId: string;
  customer: string;
  card: CheckedCard & { holder?: string };
  bin: BinInfo;
  source: 'checkout' | 'import';
  networkTransactionId?: string;
  now: Date;
}

/**
 * Saves a card for a customer. A number the customer already has updates that card (expiry, holder)
 * and keeps its token; the caller learns which happened.
 */
export async function saveCard(trx: Q, ring: KeyRing, fingerprintKey: Buffer, input: SaveCardInput): Promise<{ row: LiveCard; created: boolean }> {
  const fingerprint = fingerprintOf(fingerprintKey, input.groupId, input.card.number);
  const now = input.now.toISOString();
  const existing = (await trx.selectFrom('cards').selectAll()
    .where('group_id', '=', input.groupId).where('customer', '=', input.customer).where('fingerprint', '=', fingerprint)
    .executeTakeFirst()) as LiveCard | undefined;
  const meta = { exp_month: input.card.exp_month, exp_year: input.card.exp_year, holder: input.card.holder };
  if (existing) {
    const meta_ct = resealMeta(ring, bindingOf(existing), sealedOf(existing), meta);
    const update = {
      meta_ct,
      updated_at: now,
      // A checkout save of an imported card makes it usable in the fields too.
      source: input.source === 'checkout' ? 'checkout' : existing.source,
      network_transaction_id: input.networkTransactionId ?? existing.network_transaction_id,
    };
    await trx.updateTable('cards').set(update).where('token', '=', existing.token).execute();
    return { row: { ...existing, ...update }, created: false };
  }
  const token = newId('card');
  const sealed = sealCard(ring, { token, groupId: input.groupId }, { number: input.card.number, ...meta });
  const row: LiveCard = {
    token,
    group_id: input.groupId,
    customer: input.customer,
    fingerprint,
    bin: input.card.number.slice(0, 6),
    last4: input.card.number.slice(-4),
    brand: input.card.brand,
    issuer: input.bin.issuer,
    country: input.bin.country,
    ...sealed,
    network_transaction_id: input.networkTransactionId ?? null,
    successful_payments: 0,
    source: input.source,
    expiring_notified: 0,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('cards').values(row).execute();
  return { row, created: true };
}

/** Deletes a card by destroying its data key and ciphertexts: the number can never be decrypted again. */
export async function destroyCard(trx: Q, token: string, now: Date): Promise<void> {
  await trx.updateTable('cards')
    .set({ wrapped_key: null, pan_ct: null, meta_ct: null, key_version: null, fingerprint: null, deleted_at: now.toISOString(), updated_at: now.toISOString() })
    .where('token', '=', token)
    .execute();
}
