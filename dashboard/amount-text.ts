// An amount as a person types it, in major units, read the way they meant it: "12.50" and "12,50"
// are twelve and a half, "1,250.00" and "1.250,00" and "1 250" are one thousand two hundred and
// fifty. A separator followed by three digits groups thousands; one followed by one or two digits
// (up to the currency's decimals) marks the decimals. What could mean two amounts is refused, never guessed.

/** The amount as "1250.5" (digits, one dot), or undefined when it is not one amount with at most `decimals` decimals. */
export function readAmount(text: string, decimals: number): string | undefined {
  const s = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return undefined;
  const last = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (last === -1) return s;
  const mark = s[last];
  const after = s.slice(last + 1);
  const both = s.includes('.') && s.includes(',');
  const once = s.indexOf(mark) === last;
  // The last separator is the decimal mark when the other one groups before it, or when it stands
  // alone with no more digits than the currency has decimals; otherwise it groups thousands.
  // A lone dot is always a decimal mark ("1.250" is refused in cents, not read as 1,250).
  if (once && !both && mark === '.' && after.length > decimals) return undefined;
  const decimalMark = both || (once && after.length >= 1 && after.length <= decimals && !(after.length === 3 && decimals !== 3 && mark === ','));
  const [whole, fraction] = decimalMark ? [s.slice(0, last), after] : [s, ''];
  if (decimalMark && (fraction.length === 0 || fraction.length > decimals || /[.,]/.test(fraction))) return undefined;
  const groups = whole.split(/[.,]/);
  const grouping = new Set(whole.replace(/\d/g, ''));
  if (grouping.size > 1 || (decimalMark && grouping.has(mark))) return undefined;
  if (groups.length > 1 && (groups[0].length === 0 || groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) return undefined;
  const digits = groups.join('') || '0';
  return fraction ? `${digits}.${fraction}` : digits;
}
