// Which pages may embed a merchant's fields. A live merchant's pages must be served over https: real
// cards typed into the vault's iframe are only as safe as the page around it, and a page fetched over
// http can be rewritten on the way (a look-alike form, or a script that watches the customer type), so
// the card networks' rules (PCI DSS 4.2.1) and every provider's live mode ask for TLS there. Set on an
// allowed list, an http origin is refused; one stored before the rule does not count as allowed.
import type { Merchant } from './merchant-store.ts';

type Embedder = Pick<Merchant, 'livemode' | 'allowed_origins'>;

/** The origin an allowed-list entry is, if it is exactly one (`https://shop.example`, nothing more). */
function originOf(entry: string): URL | undefined {
  if (!URL.canParse(entry)) return undefined;
  const url = new URL(entry);
  return url.origin === entry ? url : undefined;
}

/** Why these origins cannot be a merchant's allowed list in this mode; undefined when they can. */
export function originsProblem(origins: readonly string[], live: boolean): string | undefined {
  if (!live) return undefined;
  const plain = origins.filter((o) => !URL.canParse(o) || new URL(o).protocol !== 'https:');
  if (plain.length === 0) return undefined;
  const named = plain.map((o) => (URL.canParse(o) ? new URL(o).origin : JSON.stringify(o)));
  return `A live merchant's pages must be served over https: ${named.join(', ')} ${plain.length === 1 ? 'is' : 'are'} not`;
}

/**
 * The origins whose pages may embed the fields now: the allowed list's entries that are exactly one
 * origin (the list is written that way; a row written otherwise must not put its text into a page's
 * security policy), and for a live merchant only those on https.
 */
export function embeddingOrigins(merchant: Embedder): string[] {
  return merchant.allowed_origins.filter((entry) => {
    const url = originOf(entry);
    return url !== undefined && (!merchant.livemode || url.protocol === 'https:');
  });
}

/** Whether a page of `origin` may embed this merchant's fields. */
export function mayEmbed(merchant: Embedder, origin: string): boolean {
  return embeddingOrigins(merchant).includes(origin);
}
