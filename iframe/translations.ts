// Every visible text of the fields in each locale the contract names. `{name}` marks a value the
// fields fill in; a merchant's `labels` replace any LabelKey text, placeholders included.
// Each locale is a row in KEYS order (a tuple type checks the count), one file per locale under
// locales/: the key names ship once, in frame.js, and no language does. The vault's page carries the
// row of the locale the page asked for (English included); any other is fetched (see locales.ts).
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
  'cardEnding',
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
  'errorCvcIncorrect',
  'errorConsent',
  'errorSession',
  'errorDeclined',
  'errorTestCard',
  'errorGeneric',
  'processing',
  'expiryPlaceholder',
] as const satisfies readonly (keyof Texts)[];

type StringsFor<T extends readonly unknown[]> = { -readonly [I in keyof T]: string };
export type Row = StringsFor<typeof KEYS>;

export const textsOf = (row: Row) => Object.fromEntries(KEYS.map((key, i) => [key, row[i]])) as Texts;
