// Finding the few items of a list that belong to one thing, when the API has no filter for it: the
// refunds of a charge (from its charge.refunded events) and the charges of an invoice (by their order,
// the invoice's id). Pages are read newest first and the scan stops at the first item older than the
// thing itself, since nothing older can belong to it, or after a bounded number of pages.
import { api, type Page, query } from '../api.ts';

const PAGE = 100;
const MAX_PAGES = 10;

export interface Scanned<T> {
  items: T[];
  /** Whether the scan stopped at its bound before reaching the thing's creation: older items may be missing. */
  incomplete: boolean;
}

export async function scanList<T extends { id: string; created: string }>(
  path: string,
  params: Record<string, string | undefined>,
  since: string,
  keep: (item: T) => boolean,
): Promise<Scanned<T>> {
  const items: T[] = [];
  let after: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await api.get<Page<T>>(`${path}${query({ ...params, limit: PAGE, starting_after: after })}`);
    for (const item of page.data) {
      if (item.created < since) return { items, incomplete: false };
      if (keep(item)) items.push(item);
    }
    if (!page.has_more || page.data.length === 0) return { items, incomplete: false };
    after = page.data[page.data.length - 1].id;
  }
  return { items, incomplete: true };
}
