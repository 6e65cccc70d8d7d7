// Customer messages in French.
import { mail, type Wording } from './wording.ts';

export const fr: Wording = {
  payment_approved: (v) => ({
    subject: `Paiement accepté : ${v.amount}`,
    text: mail(
      'Bonjour,',
      [
        `Votre paiement de ${v.amount} à ${v.merchant} avec votre carte se terminant par ${v.last4} a été accepté.`,
        v.description && `Objet : ${v.description}`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : paiement de ${v.amount} avec la carte *${v.last4} accepté.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Action requise : nous n'avons pas pu débiter votre carte se terminant par ${v.last4}`
      : `Action requise : votre paiement de ${v.amount} n'a pas pu être effectué`,
    text: mail(
      'Bonjour,',
      [
        v.hasCard
          ? `Nous avons tenté de débiter ${v.amount} pour ${v.merchant} sur votre carte enregistrée se terminant par ${v.last4}, ` +
            `mais le paiement n'a pas abouti.`
          : `Nous n'avons pas pu effectuer votre paiement de ${v.amount} pour ${v.merchant} : aucune carte enregistrée ne peut être débitée automatiquement.`,
        v.description && `Objet : ${v.description}`,
        v.due && `L'échéance est fixée au ${v.due}.`,
        '',
        v.hasCard
          ? `Vérifiez que la carte est suffisamment approvisionnée et toujours valide, ` +
            `ou ajoutez une autre carte dans votre compte ${v.merchant}${v.due ? ` avant le ${v.due}` : ''}. Nous réessaierons automatiquement.`
          : `Ajoutez une carte dans votre compte ${v.merchant}${v.due ? ` avant le ${v.due}` : ''}, ou réglez par un autre moyen.`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant} : impossible de débiter ${v.amount} sur la carte *${v.last4}.` +
        `${v.due ? ` Échéance le ${v.due}.` : ''} Approvisionnez ou changez votre carte.`
      : `${v.merchant} : paiement de ${v.amount} impossible.${v.due ? ` Échéance le ${v.due}.` : ''} Ajoutez une carte.`,
  }),
  card_saved: (v) => ({
    subject: `Votre carte se terminant par ${v.last4} a été enregistrée`,
    text: mail(
      'Bonjour,',
      [
        `Votre carte se terminant par ${v.last4} a été enregistrée chez ${v.merchant} pour vos prochains paiements. ` +
          `Le commerçant ne voit jamais le numéro complet de la carte.`,
        '',
        `Si vous n'êtes pas à l'origine de cette opération, contactez ${v.merchant}.`,
      ],
      `Merci,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : carte *${v.last4} enregistrée pour vos prochains paiements.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Votre accord de paiement automatique a été annulé',
    text: mail(
      'Bonjour,',
      [
        `L'accord autorisant ${v.merchant} à débiter automatiquement votre carte se terminant par ${v.last4} a été annulé. ` +
          `Aucun autre paiement automatique ne sera effectué à ce titre.`,
        '',
        `Si vous ne vous y attendiez pas, contactez ${v.merchant}.`,
      ],
      `Cordialement,\n${v.merchant}`,
    ),
    sms: `${v.merchant} : paiements automatiques avec la carte *${v.last4} annulés.`,
  }),
};
