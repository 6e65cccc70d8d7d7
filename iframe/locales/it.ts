import type { Row } from '../translations.ts';

export const it: Row = [
  'Numero della carta', // number
  'Data di scadenza', // expiry
  'Codice di sicurezza', // cvc
  'Nome sulla carta', // holder
  '(facoltativo)', // holderOptional
  'Salva questa carta per i pagamenti futuri', // save
  'Conferma', // submit
  'Paga {amount}', // pay
  '+ Nuova carta', // newCard
  'Carte salvate', // savedCards
  'Usa una carta salvata', // useCard
  'Scade {date}', // expires
  '{card} che termina con {last4}, scade {date}', // cardEnding
  'Elimina', // delete
  'Eliminare questa carta?', // deleteConfirm
  'Eliminare questa carta? Anche i suoi pagamenti automatici terminano.', // deleteConfirmAgreements
  'Sì, elimina', // deleteYes
  'No', // deleteNo
  'Codice di sicurezza di {card}', // cvcFor
  'Conferma il pagamento con la tua banca', // challengeTitle
  'Completa la verifica della tua banca qui sotto.', // challengeWait
  'Questo numero di carta non è valido.', // errorNumber
  'Il numero della carta è incompleto.', // errorNumberIncomplete
  'La data di scadenza non è valida.', // errorExpiry
  'Questa carta è scaduta.', // errorExpiryPast
  'Il codice di sicurezza non è valido.', // errorCvc
  'Il codice di sicurezza non è corretto.', // errorCvcIncorrect
  'Seleziona la casella per continuare.', // errorConsent
  'Questa pagina di pagamento è scaduta. Ricomincia.', // errorSession
  'La carta è stata rifiutata. Usa un’altra carta.', // errorDeclined
  'Questo negozio è in modalità di test: usa una carta di test.', // errorTestCard
  'Il pagamento non è riuscito. Controlla i dati o usa un’altra carta.', // errorGeneric
  'Elaborazione…', // processing
  'MM / AA', // expiryPlaceholder
];
