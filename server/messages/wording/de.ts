// Customer messages in German, addressing the customer as "Sie".
import { mail, type Wording } from './wording.ts';

// After the greeting's comma a German letter goes on in lower case ("wir haben …"); "Ihre" keeps its capital.
export const de: Wording = {
  payment_approved: (v) => ({
    subject: `Zahlung erfolgreich: ${v.amount}`,
    text: mail(
      'Guten Tag,',
      [
        `Ihre Zahlung über ${v.amount} an ${v.merchant} mit Ihrer Karte mit den Endziffern ${v.last4} wurde genehmigt.`,
        v.description && `Verwendungszweck: ${v.description}`,
      ],
      `Vielen Dank\n${v.merchant}`,
    ),
    sms: `${v.merchant}: Zahlung über ${v.amount} mit Karte *${v.last4} genehmigt.`,
  }),
  payment_failed: (v) => ({
    subject: v.hasCard
      ? `Handlungsbedarf: Ihre Karte mit den Endziffern ${v.last4} konnte nicht belastet werden`
      : `Handlungsbedarf: Ihre Zahlung über ${v.amount} konnte nicht eingezogen werden`,
    text: mail(
      'Guten Tag,',
      [
        v.hasCard
          ? `wir haben versucht, ${v.amount} für ${v.merchant} von Ihrer gespeicherten Karte mit den Endziffern ${v.last4} abzubuchen, ` +
            `die Zahlung wurde jedoch nicht ausgeführt.`
          : `wir konnten Ihre Zahlung über ${v.amount} für ${v.merchant} nicht einziehen: ` +
            `Es ist keine gespeicherte Karte hinterlegt, die wir automatisch belasten dürfen.`,
        v.description && `Verwendungszweck: ${v.description}`,
        v.due && `Die Zahlung ist am ${v.due} fällig.`,
        '',
        v.hasCard
          ? `Bitte prüfen Sie, ob die Karte ausreichend gedeckt und noch gültig ist, ` +
            `oder hinterlegen Sie ${v.due ? `bis zum ${v.due} ` : ''}eine andere Karte in Ihrem Kundenkonto bei ${v.merchant}. ` +
            `Wir versuchen es automatisch erneut.`
          : `Bitte hinterlegen Sie ${v.due ? `bis zum ${v.due} ` : ''}eine Karte in Ihrem Kundenkonto bei ${v.merchant} oder bezahlen Sie auf anderem Weg.`,
      ],
      `Vielen Dank\n${v.merchant}`,
    ),
    sms: v.hasCard
      ? `${v.merchant}: ${v.amount} konnten nicht von Karte *${v.last4} abgebucht werden.` +
        `${v.due ? ` Fällig am ${v.due}.` : ''} Bitte Deckung prüfen oder Karte aktualisieren.`
      : `${v.merchant}: Ihre Zahlung über ${v.amount} konnte nicht eingezogen werden.${v.due ? ` Fällig am ${v.due}.` : ''} Bitte hinterlegen Sie eine Karte.`,
  }),
  card_saved: (v) => ({
    subject: `Ihre Karte mit den Endziffern ${v.last4} wurde gespeichert`,
    text: mail(
      'Guten Tag,',
      [
        `Ihre Karte mit den Endziffern ${v.last4} wurde bei ${v.merchant} für Ihre nächsten Zahlungen gespeichert. ` +
          `Der Shop sieht die vollständige Kartennummer zu keinem Zeitpunkt.`,
        '',
        `Falls Sie das nicht waren, wenden Sie sich bitte an ${v.merchant}.`,
      ],
      `Vielen Dank\n${v.merchant}`,
    ),
    sms: `${v.merchant}: Karte *${v.last4} für Ihre nächsten Zahlungen gespeichert.`,
  }),
  agreement_cancelled: (v) => ({
    subject: 'Ihre Vereinbarung über automatische Zahlungen wurde beendet',
    text: mail(
      'Guten Tag,',
      [
        `Ihre Vereinbarung, nach der ${v.merchant} Ihre Karte mit den Endziffern ${v.last4} automatisch belasten durfte, wurde beendet. ` +
          `Auf ihrer Grundlage werden keine weiteren Zahlungen automatisch eingezogen.`,
        '',
        `Falls Sie damit nicht gerechnet haben, wenden Sie sich bitte an ${v.merchant}.`,
      ],
      `Mit freundlichen Grüßen\n${v.merchant}`,
    ),
    sms: `${v.merchant}: Automatische Zahlungen mit Karte *${v.last4} beendet.`,
  }),
};
