import type { Row } from '../translations.ts';

export const pl: Row = [
  'Numer karty', // number
  'Data ważności', // expiry
  'Kod bezpieczeństwa', // cvc
  'Imię i nazwisko na karcie', // holder
  '(opcjonalnie)', // holderOptional
  'Zapisz tę kartę na potrzeby przyszłych płatności', // save
  'Potwierdź', // submit
  'Zapłać {amount}', // pay
  '+ Nowa karta', // newCard
  'Zapisane karty', // savedCards
  'Użyj zapisanej karty', // useCard
  'Ważna do {date}', // expires
  '{card} kończąca się na {last4}, ważna do {date}', // cardEnding
  'Usuń', // delete
  'Usunąć tę kartę?', // deleteConfirm
  'Usunąć tę kartę? Jej płatności automatyczne również się zakończą.', // deleteConfirmAgreements
  'Tak, usuń', // deleteYes
  'Nie', // deleteNo
  'Kod bezpieczeństwa karty {card}', // cvcFor
  'Potwierdź płatność w swoim banku', // challengeTitle
  'Dokończ weryfikację banku poniżej.', // challengeWait
  'Ten numer karty jest nieprawidłowy.', // errorNumber
  'Numer karty jest niepełny.', // errorNumberIncomplete
  'Data ważności jest nieprawidłowa.', // errorExpiry
  'Ta karta straciła ważność.', // errorExpiryPast
  'Kod bezpieczeństwa jest nieprawidłowy.', // errorCvc
  'Kod bezpieczeństwa jest błędny.', // errorCvcIncorrect
  'Zaznacz pole, aby kontynuować.', // errorConsent
  'Ta strona płatności wygasła. Zacznij od nowa.', // errorSession
  'Karta została odrzucona. Użyj innej karty.', // errorDeclined
  'Ten sklep działa w trybie testowym: użyj karty testowej.', // errorTestCard
  'Płatność nie powiodła się. Sprawdź dane lub użyj innej karty.', // errorGeneric
  'Przetwarzanie…', // processing
  'MM / RR', // expiryPlaceholder
];
