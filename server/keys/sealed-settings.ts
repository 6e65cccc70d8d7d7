// Settings sealed under the key ring besides the cards: each merchant's processor credentials, its
// webhook signing secrets and the headers of its forwarding destinations. A key rotation re-wraps them under the newest key like the
// cards' data keys, and they count in the key usage, so an old key is never reported free to retire
// while it still opens a merchant's credentials.
import type { Db } from '../db/database.ts';
import { destinationAad } from '../forward/destination-store.ts';
import { processorAad, type StoredProcessor } from '../merchants/processor-account.ts';
import { isPlainWebhookSecret, resealWebhookSecret, webhookSecretVersion } from '../merchants/webhook-secret.ts';
import { unwrapKey, VaultDecryptError, wrapKey } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';

type Sealed = { key_version: string; wrapped: string };

function rewrap(ring: KeyRing, sealed: Sealed, aad: string): Sealed | undefined {
  if (sealed.key_version === ring.current.id || !ring.get(sealed.key_version)) return undefined;
  try {
    return wrapKey(ring, unwrapKey(ring, sealed.wrapped, sealed.key_version, aad), aad);
  } catch (err) {
    // Sealed under other key material with the same id: left as it is, and the rest is re-wrapped.
    if (err instanceof VaultDecryptError) return undefined;
    throw err;
  }
}

/** Re-wraps every sealed setting the ring can open under its newest key; returns how many changed. */
export async function rewrapSealedSettings(db: Db, ring: KeyRing): Promise<number> {
  let changed = 0;
  for (const row of await db.selectFrom('merchants').select(['id', 'processor']).where('processor', 'is not', null).execute()) {
    const stored = JSON.parse(row.processor!) as StoredProcessor;
    const next = stored.sealed && rewrap(ring, stored.sealed, processorAad(row.id));
    if (!next) continue;
    // Compare-and-set: settings changed meanwhile are left as they now are.
    const done = await db
      .updateTable('merchants')
      .set({ processor: JSON.stringify({ ...stored, sealed: next }) })
      .where('id', '=', row.id)
      .where('processor', '=', row.processor!)
      .executeTakeFirst();
    changed += Number(done.numUpdatedRows);
  }
  changed += await sealWebhookSecrets(db, ring, { all: true });
  for (const row of await db
    .selectFrom('forward_destinations')
    .select(['id', 'merchant_id', 'headers_sealed'])
    .where('headers_sealed', 'is not', null)
    .execute()) {
    const next = rewrap(ring, JSON.parse(row.headers_sealed!) as Sealed, destinationAad(row.merchant_id, row.id));
    if (!next) continue;
    const done = await db
      .updateTable('forward_destinations')
      .set({ headers_sealed: JSON.stringify(next) })
      .where('id', '=', row.id)
      .where('headers_sealed', '=', row.headers_sealed!)
      .executeTakeFirst();
    changed += Number(done.numUpdatedRows);
  }
  return changed;
}

/**
 * Seals the merchants' webhook signing secrets stored in the clear (rows from before they were sealed)
 * under the ring's newest key; with `all`, also re-seals those under an older key of the ring (a
 * rotation). Returns how many rows changed; the caller scrubs the table's storage of the old values.
 */
export async function sealWebhookSecrets(db: Db, ring: KeyRing, { all = false } = {}): Promise<number> {
  let changed = 0;
  const columns = ['id', 'webhook_secret', 'previous_webhook_secret'] as const;
  for (let row of await db.selectFrom('merchants').select(columns).execute()) {
    // A rotation of the merchant's secret may land between the read and the write (it moves the current
    // secret, perhaps still in the clear, to the previous one): the row is read again and sealed as it is then.
    for (let tries = 0; tries < 5; tries++) {
      const id = row.id;
      const reseal = (stored: string | null) => (stored === null || (!all && !isPlainWebhookSecret(stored)) ? undefined : resealOrKeep(ring, id, stored));
      const current = reseal(row.webhook_secret);
      const previous = reseal(row.previous_webhook_secret);
      if (current === undefined && previous === undefined) break;
      const seen = row;
      const done = await db
        .updateTable('merchants')
        .set({ ...(current ? { webhook_secret: current } : {}), ...(previous ? { previous_webhook_secret: previous } : {}) })
        .where('id', '=', id)
        .where('webhook_secret', '=', seen.webhook_secret)
        .where((eb) =>
          seen.previous_webhook_secret === null ? eb('previous_webhook_secret', 'is', null) : eb('previous_webhook_secret', '=', seen.previous_webhook_secret),
        )
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 1) {
        changed++;
        break;
      }
      const again = await db.selectFrom('merchants').select(columns).where('id', '=', id).executeTakeFirst();
      if (!again) break;
      row = again;
    }
  }
  return changed;
}

/**
 * The secret re-sealed under the newest key, or undefined when it cannot be opened (sealed under other
 * key material with a key id the ring has): left as it is, so that one such row does not stop a rotation
 * of every other secret; signing with it records secret_unavailable, and the operator's log says why.
 */
function resealOrKeep(ring: KeyRing, merchantId: string, stored: string): string | undefined {
  try {
    return resealWebhookSecret(ring, merchantId, stored);
  } catch (err) {
    if (err instanceof VaultDecryptError) return undefined;
    throw err;
  }
}

/** How many sealed settings each key version still opens. */
export async function sealedKeyUsage(db: Db): Promise<Record<string, number>> {
  const usage: Record<string, number> = {};
  const count = (version: string | undefined) => {
    if (version) usage[version] = (usage[version] ?? 0) + 1;
  };
  const now = new Date().toISOString();
  // One read of the merchants for both of their sealed settings.
  const merchants = await db
    .selectFrom('merchants')
    .select(['processor', 'webhook_secret', 'previous_webhook_secret', 'previous_webhook_secret_until'])
    .execute();
  for (const row of merchants) {
    if (row.processor) count((JSON.parse(row.processor) as StoredProcessor).sealed?.key_version);
    count(webhookSecretVersion(row.webhook_secret));
    // A previous secret past its grace period is never opened again: it holds no key in use.
    const live = row.previous_webhook_secret_until !== null && row.previous_webhook_secret_until > now;
    if (row.previous_webhook_secret && live) count(webhookSecretVersion(row.previous_webhook_secret));
  }
  for (const row of await db.selectFrom('forward_destinations').select('headers_sealed').where('headers_sealed', 'is not', null).execute())
    count((JSON.parse(row.headers_sealed!) as Sealed).key_version);
  return usage;
}
