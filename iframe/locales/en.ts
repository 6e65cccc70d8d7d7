import type { Row } from '../translations.ts';

export const en: Row = [
  'Card number', // number
  'Expiry date', // expiry
  'Security code', // cvc
  'Name on card', // holder
  '(optional)', // holderOptional
  'Save this card for future payments', // save
  'Confirm', // submit
  'Pay {amount}', // pay
  '+ New card', // newCard
  'Saved cards', // savedCards
  'Use a saved card', // useCard
  'Expires {date}', // expires
  '{card} ending in {last4}, expires {date}', // cardEnding
  'Delete', // delete
  'Delete this card?', // deleteConfirm
  'Delete this card? Its automatic payments end too.', // deleteConfirmAgreements
  'Yes, delete', // deleteYes
  'No', // deleteNo
  'Security code for {card}', // cvcFor
  'Confirm the payment with your bank', // challengeTitle
  "Complete your bank's check below.", // challengeWait
  'This card number is not valid.', // errorNumber
  'The card number is incomplete.', // errorNumberIncomplete
  'The expiry date is not valid.', // errorExpiry
  'This card has expired.', // errorExpiryPast
  'The security code is not valid.', // errorCvc
  'The security code is incorrect.', // errorCvcIncorrect
  'Tick the box to continue.', // errorConsent
  'This payment page has expired. Please start again.', // errorSession
  'The card was declined. Use another card.', // errorDeclined
  'This shop is in test mode: use a test card.', // errorTestCard
  'The payment failed. Check the details or use another card.', // errorGeneric
  'Processing…', // processing
  'MM / YY', // expiryPlaceholder
];
