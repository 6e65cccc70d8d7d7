// The recurring agreement's consent in Spanish.
import type { ConsentWording } from './wording.ts';

export const es: ConsentWording = {
  quote: (n) => `«${n}»`,
  agreement: (v) => `Guardar esta tarjeta y aceptar pagos recurrentes a ${v.merchant}: ${v.amounts} por pago, ${v.frequency}, hasta el ${v.end}.`,
  savedCardAgreement: (v) => `Aceptar pagos recurrentes a ${v.merchant} con esta tarjeta: ${v.amounts} por pago, ${v.frequency}, hasta el ${v.end}.`,
  daily: 'cada día',
  everyDays: { other: 'cada {n} días' },
  whenever: 'cada vez que el comercio cobre, según lo acordado',
};
