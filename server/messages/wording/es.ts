// Customer messages in Spanish, addressing the customer as "tú".
import { mail, type Wording } from './wording.ts';

export const es: Wording = {
  payment_approved: (v) => ({
    subject: `Pago aprobado: ${v.amount}`,
    text: mail(
      'Hola:',
      [`Tu pago de ${v.amount} a ${v.merchant} con tu tarjeta terminada en ${v.last4} ha sido aprobado.`, v.description && `Concepto: ${v.description}`],
      `Gracias,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pago de ${v.amount} con la tarjeta *${v.last4} aprobado.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Acción necesaria: no hemos podido hacer el cargo en tu tarjeta terminada en ${v.last4}`
      : `Acción necesaria: no hemos podido cobrar tu pago de ${v.amount}`,
    text: mail(
      'Hola:',
      [
        v.hasCard
          ? `Hemos intentado cargar ${v.amount} a favor de ${v.merchant} en tu tarjeta guardada terminada en ${v.last4}, pero el pago no se ha completado.`
          : `No hemos podido cobrar tu pago de ${v.amount} para ${v.merchant}: no tienes ninguna tarjeta guardada en la que podamos hacer cargos automáticos.`,
        v.description && `Concepto: ${v.description}`,
        v.due && `El pago vence el ${v.due}.`,
        '',
        v.hasCard
          ? `Asegúrate de que la tarjeta tenga fondos suficientes y siga vigente, ` +
            `o añade otra tarjeta en tu cuenta de ${v.merchant}${v.due ? ` antes del ${v.due}` : ''}. Volveremos a intentarlo automáticamente.`
          : `Añade una tarjeta en tu cuenta de ${v.merchant}${v.due ? ` antes del ${v.due}` : ''} o paga de otra forma.`,
      ],
      `Gracias,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: no hemos podido cobrar ${v.amount} en la tarjeta *${v.last4}.${v.due ? ` Vence el ${v.due}.` : ''} Añade fondos o actualiza tu tarjeta.`
      : `${v.merchant}: no hemos podido cobrar tu pago de ${v.amount}.${v.due ? ` Vence el ${v.due}.` : ''} Añade una tarjeta.`,
  }),
  card_saved: (v) => ({
    subject: `Tu tarjeta terminada en ${v.last4} se ha guardado`,
    text: mail(
      'Hola:',
      [
        `Tu tarjeta terminada en ${v.last4} se ha guardado en ${v.merchant} para tus próximos pagos. La tienda nunca ve el número completo de la tarjeta.`,
        '',
        `Si no has sido tú, ponte en contacto con ${v.merchant}.`,
      ],
      `Gracias,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: tarjeta *${v.last4} guardada para tus próximos pagos.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Tu acuerdo de pagos automáticos se ha cancelado',
    text: mail(
      'Hola:',
      [
        `Se ha cancelado el acuerdo que permitía a ${v.merchant} cobrar automáticamente en tu tarjeta terminada en ${v.last4}. ` +
          `Ya no se harán más cobros automáticos con este acuerdo.`,
        '',
        `Si no lo esperabas, ponte en contacto con ${v.merchant}.`,
      ],
      `Un saludo,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pagos automáticos con la tarjeta *${v.last4} cancelados.`,
  }),
};
