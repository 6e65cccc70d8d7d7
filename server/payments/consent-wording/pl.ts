// The recurring agreement's consent in Polish.
import type { ConsentWording } from './wording.ts';

export const pl: ConsentWording = {
  quote: (n) => `„${n}”`,
  agreement: (v) => `Zapisz tę kartę i wyraź zgodę na płatności cykliczne na rzecz ${v.merchant}: ${v.amounts} za płatność, ${v.frequency}, do ${v.end}.`,
  savedCardAgreement: (v) => `Wyraź zgodę na płatności cykliczne z tej karty na rzecz ${v.merchant}: ${v.amounts} za płatność, ${v.frequency}, do ${v.end}.`,
  daily: 'codziennie',
  // "dni" is both the few form (co 2 dni, co 22 dni) and the many form (co 5 dni, co 21 dni); fractions take "dnia".
  everyDays: { one: 'co {n} dzień', few: 'co {n} dni', many: 'co {n} dni', other: 'co {n} dnia' },
  whenever: 'za każdym razem, gdy sklep pobierze płatność zgodnie z ustaleniami',
};
