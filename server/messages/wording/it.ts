// Customer messages in Italian, addressing the customer as "tu".
import { mail, type Wording } from './wording.ts';

export const it: Wording = {
  payment_approved: (v) => ({
    subject: `Pagamento approvato: ${v.amount}`,
    text: mail(
      'Ciao,',
      [
        `Il tuo pagamento di ${v.amount} a ${v.merchant} con la tua carta che termina con ${v.last4} è stato approvato.`,
        v.description && `Causale: ${v.description}`,
      ],
      `Grazie,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pagamento di ${v.amount} con la carta *${v.last4} approvato.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Azione richiesta: non siamo riusciti ad addebitare la tua carta che termina con ${v.last4}`
      : `Azione richiesta: non è stato possibile incassare il tuo pagamento di ${v.amount}`,
    text: mail(
      'Ciao,',
      [
        v.hasCard
          ? `Abbiamo provato ad addebitare ${v.amount} per ${v.merchant} sulla tua carta salvata che termina con ${v.last4}, ` +
            `ma il pagamento non è andato a buon fine.`
          : `Non è stato possibile incassare il tuo pagamento di ${v.amount} per ${v.merchant}: ` +
            `non hai una carta salvata su cui possiamo effettuare addebiti automatici.`,
        v.description && `Causale: ${v.description}`,
        v.due && `Il pagamento scade il ${v.due}.`,
        '',
        v.hasCard
          ? `Assicurati che la carta abbia fondi sufficienti e sia ancora valida, ` +
            `oppure aggiungi un’altra carta nel tuo account di ${v.merchant}${v.due ? ` entro il ${v.due}` : ''}. Riproveremo automaticamente.`
          : `Aggiungi una carta nel tuo account di ${v.merchant}${v.due ? ` entro il ${v.due}` : ''} oppure paga in un altro modo.`,
      ],
      `Grazie,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: non siamo riusciti ad addebitare ${v.amount} sulla carta *${v.last4}.` +
        `${v.due ? ` Scadenza: ${v.due}.` : ''} Verifica i fondi o aggiorna la carta.`
      : `${v.merchant}: non è stato possibile incassare il pagamento di ${v.amount}.${v.due ? ` Scadenza: ${v.due}.` : ''} Aggiungi una carta.`,
  }),
  card_saved: (v) => ({
    subject: `La tua carta che termina con ${v.last4} è stata salvata`,
    text: mail(
      'Ciao,',
      [
        `La tua carta che termina con ${v.last4} è stata salvata presso ${v.merchant} per i tuoi prossimi pagamenti. ` +
          `Il negozio non vede mai il numero completo della carta.`,
        '',
        `Se non hai effettuato tu questa operazione, contatta ${v.merchant}.`,
      ],
      `Grazie,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: carta *${v.last4} salvata per i tuoi prossimi pagamenti.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Il tuo accordo di pagamento automatico è stato annullato',
    text: mail(
      'Ciao,',
      [
        `L’accordo che consentiva a ${v.merchant} di addebitare automaticamente la tua carta che termina con ${v.last4} è stato annullato. ` +
          `Non verranno più effettuati pagamenti automatici in base a questo accordo.`,
        '',
        `Se non te lo aspettavi, contatta ${v.merchant}.`,
      ],
      `Cordiali saluti,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: pagamenti automatici con la carta *${v.last4} annullati.`,
  }),
};
