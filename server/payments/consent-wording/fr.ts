// The recurring agreement's consent in French.
import type { ConsentWording } from './wording.ts';

export const fr: ConsentWording = {
  quote: (n) => `« ${n} »`,
  agreement: (v) =>
    `Enregistrer cette carte et accepter des paiements récurrents à ${v.merchant} : ${v.amounts} par paiement, ${v.frequency}, jusqu’au ${v.end}.`,
  savedCardAgreement: (v) =>
    `Accepter des paiements récurrents à ${v.merchant} avec cette carte : ${v.amounts} par paiement, ${v.frequency}, jusqu’au ${v.end}.`,
  daily: 'chaque jour',
  everyDays: { other: 'tous les {n} jours' },
  whenever: 'chaque fois que le marchand débite, comme convenu',
};
