// The recurring agreement's consent in Brazilian Portuguese.
import type { ConsentWording } from './wording.ts';

export const pt: ConsentWording = {
  quote: (n) => `“${n}”`,
  agreement: (v) => `Salvar este cartão e autorizar pagamentos recorrentes para ${v.merchant}: ${v.amounts} por pagamento, ${v.frequency}, até ${v.end}.`,
  savedCardAgreement: (v) => `Autorizar pagamentos recorrentes para ${v.merchant} com este cartão: ${v.amounts} por pagamento, ${v.frequency}, até ${v.end}.`,
  daily: 'todos os dias',
  everyDays: { other: 'a cada {n} dias' },
  whenever: 'sempre que a loja cobrar, conforme combinado',
};
