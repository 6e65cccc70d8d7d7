// The recurring agreement's consent in Arabic: the counted noun takes a form for each of the six
// plural categories (2 is the dual, 3-10 a plural, 11-99 an accusative singular, 100-102 a genitive one).
import type { ConsentWording } from './wording.ts';

export const ar: ConsentWording = {
  quote: (n) => `«${n}»`,
  agreement: (v) => `احفظ هذه البطاقة ووافق على مدفوعات متكررة لصالح ${v.merchant}: ${v.amounts} لكل دفعة، ${v.frequency}، حتى ${v.end}.`,
  savedCardAgreement: (v) => `وافق على مدفوعات متكررة بهذه البطاقة لصالح ${v.merchant}: ${v.amounts} لكل دفعة، ${v.frequency}، حتى ${v.end}.`,
  daily: 'كل يوم',
  everyDays: { zero: 'كل {n} يوم', one: 'كل يوم', two: 'كل يومين', few: 'كل {n} أيام', many: 'كل {n} يومًا', other: 'كل {n} يوم' },
  whenever: 'كلما خصم التاجر المبلغ حسب الاتفاق',
};
