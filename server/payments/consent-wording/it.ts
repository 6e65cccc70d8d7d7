// The recurring agreement's consent in Italian.
import type { ConsentWording } from './wording.ts';

export const it: ConsentWording = {
  quote: (n) => `«${n}»`,
  agreement: (v) =>
    `Salva questa carta e accetta pagamenti ricorrenti a favore di ${v.merchant}: ${v.amounts} per pagamento, ${v.frequency}, fino al ${v.end}.`,
  savedCardAgreement: (v) =>
    `Accetta pagamenti ricorrenti a favore di ${v.merchant} con questa carta: ${v.amounts} per pagamento, ${v.frequency}, fino al ${v.end}.`,
  daily: 'ogni giorno',
  everyDays: { other: 'ogni {n} giorni' },
  whenever: 'ogni volta che l’esercente addebita, come concordato',
};
