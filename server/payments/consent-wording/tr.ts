// The recurring agreement's consent in Turkish.
import type { ConsentWording } from './wording.ts';

export const tr: ConsentWording = {
  quote: (n) => `“${n}”`,
  agreement: (v) => `Bu kartı kaydet ve ${v.merchant} için düzenli ödemeleri kabul et: ödeme başına ${v.amounts}, ${v.frequency}, ${v.end} tarihine kadar.`,
  savedCardAgreement: (v) => `Bu kartla ${v.merchant} için düzenli ödemeleri kabul et: ödeme başına ${v.amounts}, ${v.frequency}, ${v.end} tarihine kadar.`,
  daily: 'her gün',
  everyDays: { other: '{n} günde bir' },
  whenever: 'satıcı tahsil ettiğinde, kararlaştırıldığı şekilde',
};
