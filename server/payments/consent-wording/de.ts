// The recurring agreement's consent in German.
import type { ConsentWording } from './wording.ts';

export const de: ConsentWording = {
  quote: (n) => `„${n}“`,
  agreement: (v) =>
    `Diese Karte speichern und wiederkehrenden Zahlungen an ${v.merchant} zustimmen: ${v.amounts} pro Zahlung, ${v.frequency}, bis zum ${v.end}.`,
  savedCardAgreement: (v) =>
    `Wiederkehrenden Zahlungen an ${v.merchant} mit dieser Karte zustimmen: ${v.amounts} pro Zahlung, ${v.frequency}, bis zum ${v.end}.`,
  daily: 'täglich',
  everyDays: { other: 'alle {n} Tage' },
  whenever: 'wann immer der Händler wie vereinbart abbucht',
};
