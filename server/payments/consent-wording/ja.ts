// The recurring agreement's consent in Japanese, which has no plural forms.
import type { ConsentWording } from './wording.ts';

export const ja: ConsentWording = {
  quote: (n) => `「${n}」`,
  agreement: (v) => `このカードを保存し、${v.merchant}への定期支払いに同意します：1回あたり${v.amounts}、${v.frequency}、${v.end}まで。`,
  savedCardAgreement: (v) => `このカードで${v.merchant}への定期支払いに同意します：1回あたり${v.amounts}、${v.frequency}、${v.end}まで。`,
  daily: '毎日',
  everyDays: { other: '{n}日ごと' },
  whenever: '合意に基づき加盟店が請求するたび',
};
