// Merchants are read on every request and change rarely: each instance keeps them for a second.
// A change made through this instance is seen at once; one made through another within that second.
import type { Db } from '../db/database.ts';
import { sha256 } from '../ids.ts';
import { findById, findBySecretKey, type Merchant } from './merchant-store.ts';

const TTL_MS = 1000;

export class MerchantCache {
  private entries = new Map<string, { merchant: Merchant | undefined; until: number }>();
  constructor(private readonly db: Db) {}

  bySecretKey(key: string): Promise<Merchant | undefined> {
    return this.cached(`sk:${sha256(key)}`, () => findBySecretKey(this.db, key));
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
    if (merchant) {
      if (this.entries.size > 10_000) this.entries.clear();
      this.entries.set(key, { merchant, until: Date.now() + TTL_MS });
    }
    return merchant;
  }
}
