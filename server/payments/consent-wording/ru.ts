// The recurring agreement's consent in Russian.
import type { ConsentWording } from './wording.ts';

export const ru: ConsentWording = {
  quote: (n) => `«${n}»`,
  agreement: (v) => `Сохранить карту и согласиться на регулярные платежи в пользу ${v.merchant}: ${v.amounts} за платёж, ${v.frequency}, до ${v.end}.`,
  savedCardAgreement: (v) => `Согласиться на регулярные платежи с этой карты в пользу ${v.merchant}: ${v.amounts} за платёж, ${v.frequency}, до ${v.end}.`,
  daily: 'каждый день',
  everyDays: { one: 'раз в {n} день', few: 'раз в {n} дня', many: 'раз в {n} дней', other: 'раз в {n} дней' },
  whenever: 'когда продавец списывает оплату, как договорено',
};
