// The recurring agreement's consent in Dutch.
import type { ConsentWording } from './wording.ts';

export const nl: ConsentWording = {
  quote: (n) => `‘${n}’`,
  agreement: (v) =>
    `Deze kaart bewaren en akkoord gaan met terugkerende betalingen aan ${v.merchant}: ${v.amounts} per betaling, ${v.frequency}, tot ${v.end}.`,
  savedCardAgreement: (v) =>
    `Akkoord gaan met terugkerende betalingen aan ${v.merchant} met deze kaart: ${v.amounts} per betaling, ${v.frequency}, tot ${v.end}.`,
  daily: 'elke dag',
  everyDays: { other: 'elke {n} dagen' },
  whenever: 'telkens wanneer de verkoper afschrijft, zoals afgesproken',
};
