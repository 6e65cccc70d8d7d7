import type { Row } from '../translations.ts';

export const nl: Row = [
  'Kaartnummer', // number
  'Vervaldatum', // expiry
  'Beveiligingscode', // cvc
  'Naam op de kaart', // holder
  '(optioneel)', // holderOptional
  'Deze kaart bewaren voor toekomstige betalingen', // save
  'Bevestigen', // submit
  '{amount} betalen', // pay
  '+ Nieuwe kaart', // newCard
  'Bewaarde kaarten', // savedCards
  'Een bewaarde kaart gebruiken', // useCard
  'Geldig tot {date}', // expires
  '{card} eindigend op {last4}, geldig tot {date}', // cardEnding
  'Verwijderen', // delete
  'Deze kaart verwijderen?', // deleteConfirm
  'Deze kaart verwijderen? De automatische betalingen ervan stoppen ook.', // deleteConfirmAgreements
  'Ja, verwijderen', // deleteYes
  'Nee', // deleteNo
  'Beveiligingscode van {card}', // cvcFor
  'Bevestig de betaling bij je bank', // challengeTitle
  'Rond hieronder de controle van je bank af.', // challengeWait
  'Dit kaartnummer is ongeldig.', // errorNumber
  'Het kaartnummer is onvolledig.', // errorNumberIncomplete
  'De vervaldatum is ongeldig.', // errorExpiry
  'Deze kaart is verlopen.', // errorExpiryPast
  'De beveiligingscode is ongeldig.', // errorCvc
  'De beveiligingscode is onjuist.', // errorCvcIncorrect
  'Vink het vakje aan om door te gaan.', // errorConsent
  'Deze betaalpagina is verlopen. Begin opnieuw.', // errorSession
  'De kaart is geweigerd. Gebruik een andere kaart.', // errorDeclined
  'Deze winkel staat in testmodus: gebruik een testkaart.', // errorTestCard
  'De betaling is mislukt. Controleer de gegevens of gebruik een andere kaart.', // errorGeneric
  'Bezig…', // processing
  'MM / JJ', // expiryPlaceholder
];
