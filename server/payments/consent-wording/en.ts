// The recurring agreement's consent in English.
import type { ConsentWording } from './wording.ts';

export const en: ConsentWording = {
  quote: (n) => `“${n}”`,
  agreement: (v) => `Save this card and agree to recurring payments to ${v.merchant}: ${v.amounts} per payment, ${v.frequency}, until ${v.end}.`,
  savedCardAgreement: (v) => `Agree to recurring payments to ${v.merchant} with this card: ${v.amounts} per payment, ${v.frequency}, until ${v.end}.`,
  daily: 'every day',
  everyDays: { other: 'every {n} days' },
  whenever: 'whenever the merchant charges, as agreed',
};
