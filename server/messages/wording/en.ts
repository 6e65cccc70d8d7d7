// Customer messages in English.
import { mail, type Wording } from './wording.ts';

export const en: Wording = {
  payment_approved: (v) => ({
    subject: `Payment approved: ${v.amount}`,
    text: mail(
      'Hello,',
      [`Your payment of ${v.amount} to ${v.merchant} with your card ending in ${v.last4} was approved.`, v.description && `For: ${v.description}`],
      `Thank you,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: payment of ${v.amount} with card *${v.last4} approved.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard ? `Action needed: we could not charge your card ending in ${v.last4}` : `Action needed: your payment of ${v.amount} could not be taken`,
    text: mail(
      'Hello,',
      [
        v.hasCard
          ? `We tried to charge ${v.amount} for ${v.merchant} to your saved card ending in ${v.last4}, but the payment did not go through.`
          : `We could not take your payment of ${v.amount} for ${v.merchant}: there is no saved card we may charge automatically.`,
        v.description && `For: ${v.description}`,
        v.due && `The payment is due on ${v.due}.`,
        '',
        v.hasCard
          ? `Please make sure the card has enough funds and is still valid, ` +
            `or add another card in your account at ${v.merchant}${v.due ? ` before ${v.due}` : ''}. We will try again automatically.`
          : `Please add a card in your account at ${v.merchant}${v.due ? ` before ${v.due}` : ''}, or pay another way.`,
      ],
      `Thank you,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: we could not charge ${v.amount} to card *${v.last4}.${v.due ? ` Due ${v.due}.` : ''} Please add funds or update your card.`
      : `${v.merchant}: we could not take your payment of ${v.amount}.${v.due ? ` Due ${v.due}.` : ''} Please add a card.`,
  }),
  card_saved: (v) => ({
    subject: `Your card ending in ${v.last4} was saved`,
    text: mail(
      'Hello,',
      [
        `Your card ending in ${v.last4} was saved at ${v.merchant} for your next payments. The shop never sees the full card number.`,
        '',
        `If this was not you, please contact ${v.merchant}.`,
      ],
      `Thank you,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: card *${v.last4} saved for your next payments.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Your automatic payment agreement was cancelled',
    text: mail(
      'Hello,',
      [
        `Your agreement allowing ${v.merchant} to charge your card ending in ${v.last4} automatically has been cancelled. ` +
          `No further automatic payments will be taken under it.`,
        '',
        `If you did not expect this, please contact ${v.merchant}.`,
      ],
      `Kind regards,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: automatic payments with card *${v.last4} cancelled.`,
  }),
};
