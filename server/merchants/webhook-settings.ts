// What a webhook delivery needs of its merchant: where to send, the secrets to sign with (the previous
// one while it lives), and the mode (a live merchant's URL must be https). Read from the table at each
// use, not from the merchant cache: a URL changed or removed on another instance is seen at once.
import type { Queryable } from '../db/database.ts';
import type { MerchantTable } from '../db/schema.ts';

const WEBHOOK_COLUMNS = ['id', 'webhook_url', 'webhook_secret', 'previous_webhook_secret', 'previous_webhook_secret_until', 'livemode'] as const;

export type WebhookMerchant = Pick<MerchantTable, (typeof WEBHOOK_COLUMNS)[number]>;

/** The webhook settings of the merchants named, by id. */
export async function webhookMerchants(q: Queryable, ids: readonly string[]): Promise<Map<string, WebhookMerchant>> {
  if (ids.length === 0) return new Map();
  const rows = await q.selectFrom('merchants').select(WEBHOOK_COLUMNS).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/** One merchant's webhook settings, as they are now. */
export function webhookMerchant(q: Queryable, id: string): Promise<WebhookMerchant | undefined> {
  return q.selectFrom('merchants').select(WEBHOOK_COLUMNS).where('id', '=', id).executeTakeFirst();
}
