// Customer messages in Dutch, addressing the customer as "je".
import { mail, type Wording } from './wording.ts';

export const nl: Wording = {
  payment_approved: (v) => ({
    subject: `Betaling goedgekeurd: ${v.amount}`,
    text: mail(
      'Hallo,',
      [`Je betaling van ${v.amount} aan ${v.merchant} met je kaart eindigend op ${v.last4} is goedgekeurd.`, v.description && `Omschrijving: ${v.description}`],
      `Bedankt,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: betaling van ${v.amount} met kaart *${v.last4} goedgekeurd.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Actie vereist: we konden je kaart eindigend op ${v.last4} niet belasten`
      : `Actie vereist: je betaling van ${v.amount} kon niet worden afgeschreven`,
    text: mail(
      'Hallo,',
      [
        v.hasCard
          ? `We hebben geprobeerd ${v.amount} voor ${v.merchant} af te schrijven van je bewaarde kaart eindigend op ${v.last4}, ` +
            'maar de betaling is niet gelukt.'
          : `We konden je betaling van ${v.amount} voor ${v.merchant} niet afschrijven: er is geen bewaarde kaart die we automatisch mogen belasten.`,
        v.description && `Omschrijving: ${v.description}`,
        v.due && `De uiterste betaaldatum is ${v.due}.`,
        '',
        v.hasCard
          ? `Controleer of er voldoende saldo op de kaart staat en of die nog geldig is, ` +
            `of voeg ${v.due ? `vóór ${v.due} ` : ''}een andere kaart toe in je account bij ${v.merchant}. We proberen het automatisch opnieuw.`
          : `Voeg ${v.due ? `vóór ${v.due} ` : ''}een kaart toe in je account bij ${v.merchant}, of betaal op een andere manier.`,
      ],
      `Bedankt,\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: we konden ${v.amount} niet afschrijven van kaart *${v.last4}.${v.due ? ` Uiterlijk ${v.due}.` : ''} ` +
        'Zorg voor saldo of werk je kaart bij.'
      : `${v.merchant}: we konden je betaling van ${v.amount} niet afschrijven.${v.due ? ` Uiterlijk ${v.due}.` : ''} Voeg een kaart toe.`,
  }),
  card_saved: (v) => ({
    subject: `Je kaart eindigend op ${v.last4} is bewaard`,
    text: mail(
      'Hallo,',
      [
        `Je kaart eindigend op ${v.last4} is bij ${v.merchant} bewaard voor je volgende betalingen. De winkel ziet nooit het volledige kaartnummer.`,
        '',
        `Was jij dit niet? Neem dan contact op met ${v.merchant}.`,
      ],
      `Bedankt,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: kaart *${v.last4} bewaard voor je volgende betalingen.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Je machtiging voor automatische betalingen is beëindigd',
    text: mail(
      'Hallo,',
      [
        `Je machtiging waarmee ${v.merchant} automatisch bedragen van je kaart eindigend op ${v.last4} mocht afschrijven, is beëindigd. ` +
          `Op basis daarvan worden geen automatische betalingen meer afgeschreven.`,
        '',
        `Had je dit niet verwacht? Neem dan contact op met ${v.merchant}.`,
      ],
      `Met vriendelijke groet,\n${v.merchant}`,
    ),
    sms: `${v.merchant}: automatische betalingen met kaart *${v.last4} beëindigd.`,
  }),
};
