// Every visible text of the fields in each locale the contract names. `{name}` marks a value the
// fields fill in; a merchant's `labels` replace any LabelKey text, placeholders included.
// Each locale is a row in KEYS order (a tuple type checks the count): the key names then ship once
// instead of four times. frame.js carries English only: the other rows are in locales.ts, which the
// vault's page draws from (it carries the row of the locale the page asked for; any other is fetched).
import type { LabelKey } from '../protocol/messages.ts';

/** Texts the fields build phrases from; not overridable one by one (the phrase they feed is). A
 * recurring agreement's wording is not here: the vault writes it, and the fields show it verbatim. */
export type PhraseKey = 'expiryPlaceholder';

export type Texts = Record<LabelKey | PhraseKey, string>;

export const KEYS = [
  'number',
  'expiry',
  'cvc',
  'holder',
  'holderOptional',
  'save',
  'submit',
  'pay',
  'newCard',
  'savedCards',
  'useCard',
  'expires',
  'delete',
  'deleteConfirm',
  'deleteConfirmAgreements',
  'deleteYes',
  'deleteNo',
  'cvcFor',
  'challengeTitle',
  'challengeWait',
  'errorNumber',
  'errorNumberIncomplete',
  'errorExpiry',
  'errorExpiryPast',
  'errorCvc',
  'errorConsent',
  'errorSession',
  'errorDeclined',
  'errorGeneric',
  'processing',
  'expiryPlaceholder',
] as const satisfies readonly (keyof Texts)[];

type StringsFor<T extends readonly unknown[]> = { -readonly [I in keyof T]: string };
export type Row = StringsFor<typeof KEYS>;

export const EN: Row = [
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
  'Tick the box to continue.', // errorConsent
  'This payment page has expired. Please start again.', // errorSession
  'The card was declined. Use another card.', // errorDeclined
  'The payment failed. Check the details or use another card.', // errorGeneric
  'Processing…', // processing
  'MM / YY', // expiryPlaceholder
];

export const textsOf = (row: Row) => Object.fromEntries(KEYS.map((key, i) => [key, row[i]])) as Texts;
