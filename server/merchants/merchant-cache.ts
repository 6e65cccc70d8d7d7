// Merchants are read on every request and change rarely: each instance keeps them for a second.
// A change made through this instance is seen at once; one made through another within that second
// (a secret key rolled there included). A previous key's own time is checked at every request.
import type { Db } from '../db/database.ts';
import { sha256 } from '../ids.ts';
import { findById, findKeyHolder, type KeyHolder, type Merchant } from './merchant-store.ts';

const TTL_MS = 1000;

export class MerchantCache {
  private entries = new Map<string, { merchant: Merchant | undefined; until: number; keyUntil?: string | null }>();
  constructor(private readonly db: Db) {}

  /**
   * The merchant whose key this is at `now` (the vault's clock): its current key (`until` null), or its
   * previous one until that one's time.
   */
  async bySecretKey(key: string, now: Date): Promise<KeyHolder | undefined> {
    const cacheKey = `sk:${sha256(key)}`;
    const hit = this.entries.get(cacheKey);
    if (hit?.merchant && hit.until > Date.now() && (hit.keyUntil == null || hit.keyUntil > now.toISOString())) {
      return { merchant: hit.merchant, until: hit.keyUntil ?? null };
    }
    const holder = await findKeyHolder(this.db, key, now);
    if (holder) this.remember(cacheKey, { merchant: holder.merchant, until: Date.now() + TTL_MS, keyUntil: holder.until });
    else this.entries.delete(cacheKey);
    return holder;
  }

  byId(id: string): Promise<Merchant | undefined> {
    return this.cached(`id:${id}`, () => findById(this.db, id));
  }

  /** Forgets everything: cheap, and a settings change must not leave a stale copy under another key. */
  invalidate(): void {
    this.entries.clear();
  }

  private async cached(key: string, load: () => Promise<Merchant | undefined>): Promise<Merchant | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.merchant;
    const merchant = await load();
    // Unknown keys are not remembered: a flood of wrong keys must not grow the map.
    if (merchant) this.remember(key, { merchant, until: Date.now() + TTL_MS });
    return merchant;
  }

  private remember(key: string, entry: { merchant: Merchant; until: number; keyUntil?: string | null }): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, entry);
  }
}
