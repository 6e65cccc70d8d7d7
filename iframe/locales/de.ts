import type { Row } from '../translations.ts';

export const de: Row = [
  'Kartennummer', // number
  'Ablaufdatum', // expiry
  'Sicherheitscode', // cvc
  'Name auf der Karte', // holder
  '(optional)', // holderOptional
  'Diese Karte für künftige Zahlungen speichern', // save
  'Bestätigen', // submit
  '{amount} bezahlen', // pay
  '+ Neue Karte', // newCard
  'Gespeicherte Karten', // savedCards
  'Gespeicherte Karte verwenden', // useCard
  'Gültig bis {date}', // expires
  '{card} mit Endziffern {last4}, gültig bis {date}', // cardEnding
  'Löschen', // delete
  'Diese Karte löschen?', // deleteConfirm
  'Diese Karte löschen? Die automatischen Zahlungen mit dieser Karte enden ebenfalls.', // deleteConfirmAgreements
  'Ja, löschen', // deleteYes
  'Nein', // deleteNo
  'Sicherheitscode für {card}', // cvcFor
  'Bestätigen Sie die Zahlung bei Ihrer Bank', // challengeTitle
  'Schließen Sie die Prüfung Ihrer Bank unten ab.', // challengeWait
  'Diese Kartennummer ist ungültig.', // errorNumber
  'Die Kartennummer ist unvollständig.', // errorNumberIncomplete
  'Das Ablaufdatum ist ungültig.', // errorExpiry
  'Diese Karte ist abgelaufen.', // errorExpiryPast
  'Der Sicherheitscode ist ungültig.', // errorCvc
  'Der Sicherheitscode ist falsch.', // errorCvcIncorrect
  'Setzen Sie das Häkchen, um fortzufahren.', // errorConsent
  'Diese Zahlungsseite ist abgelaufen. Bitte beginnen Sie erneut.', // errorSession
  'Die Karte wurde abgelehnt. Verwenden Sie eine andere Karte.', // errorDeclined
  'Dieser Shop ist im Testmodus: Verwenden Sie eine Testkarte.', // errorTestCard
  'Die Zahlung ist fehlgeschlagen. Prüfen Sie die Angaben oder verwenden Sie eine andere Karte.', // errorGeneric
  'Wird verarbeitet…', // processing
  'MM / JJ', // expiryPlaceholder
];
