// card-validator's verdict on a whole card number (`valid.number`), for the server's payment paths.
// Its brand part, credit-card-type's match, costs about 10 µs a call (it copies every card type that
// matches through JSON) and depends only on the number's leading digits: the longest of its patterns
// has eight. So the brand is looked up once per leading digits and kept; Luhn and the brand's lengths
// are checked on each number, as card-validator checks them. What is kept is the first six digits
// (the part of a number the vault shows), or eight where a brand's pattern needs them (a few Troy and
// Hiper ranges), and only for numbers of 16 digits or more, as PCI DSS allows showing eight of those.
import valid from 'card-validator';
import { passesLuhn } from '../../protocol/cards.ts';

export type CardType = NonNullable<ReturnType<typeof valid.number>['card']>;

export interface NumberVerdict {
  /** The brand, as card-validator describes it (frozen: it is shared), or null when none or several match. */
  card: CardType | null;
  isValid: boolean;
}

const creditCardType = valid.creditCardType;
const patternsOf = (type: string) => creditCardType.getTypeInfo(type)?.patterns ?? [];

/** The six-digit heads of every pattern longer than six digits: a number starting with one is kept by its first eight. */
const LONG_HEADS = new Set<string>();
let LONGEST = 0;
for (const type of Object.values(creditCardType.types)) {
  for (const pattern of patternsOf(type)) {
    const [low, high] = Array.isArray(pattern) ? pattern : [pattern, pattern];
    const digits = String(low).length;
    LONGEST = Math.max(LONGEST, digits);
    if (digits <= 6) continue;
    const scale = 10 ** (digits - 6);
    for (let head = Math.floor(low / scale); head <= Math.floor(high / scale); head++) LONG_HEADS.add(String(head));
  }
}
// Should an update of credit-card-type bring longer patterns, the kept prefix would no longer decide the brand.
if (LONGEST > 8) throw new Error(`credit-card-type has a pattern of ${LONGEST} digits; card-number.ts keeps at most eight`);

/** Enough for every BIN seen in a busy day; cleared when full, so a flood of made-up numbers cannot grow it. */
const MAX_KEPT = 4096;
const brands = new Map<string, CardType | null>();
/** One frozen copy per brand and match strength (all its prefixes' answers are alike), so a full map holds only keys. */
const shared = new Map<string, CardType>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function sharedCopy(card: CardType | null): CardType | null {
  if (!card) return null;
  const key = `${card.type}:${(card as { matchStrength?: number }).matchStrength ?? ''}`;
  let copy = shared.get(key);
  if (!copy) shared.set(key, (copy = deepFreeze(card)));
  return copy;
}

/**
 * The same verdict as card-validator's `valid.number(digits)` (its card and isValid), for a string of digits, as long as
 * nothing changes credit-card-type's table at run time (its addCard, updateCard, removeCard or
 * changeOrder: the vault calls none of them).
 */
export function numberVerdict(digits: string): NumberVerdict {
  if (digits.length < 16 || digits.length > 19 || !/^\d+$/.test(digits)) {
    const verdict = valid.number(digits);
    return { card: verdict.card, isValid: verdict.isValid };
  }
  const prefix = digits.slice(0, LONG_HEADS.has(digits.slice(0, 6)) ? 8 : 6);
  let card = brands.get(prefix);
  if (card === undefined) {
    // A prefix at least as long as every pattern that could match it gets the number's own match.
    card = sharedCopy(valid.number(prefix).card);
    if (brands.size >= MAX_KEPT) brands.clear();
    brands.set(prefix, card);
  }
  if (!card) return { card: null, isValid: false };
  // card-validator skips Luhn for UnionPay unless asked (luhnValidateUnionPay), as it is called here.
  const checksum = card.type === creditCardType.types.UNIONPAY || passesLuhn(digits);
  return { card, isValid: checksum && card.lengths.includes(digits.length) };
}
