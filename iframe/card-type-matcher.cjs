// credit-card-type's matching as card-validator calls it, for the fields' bundle only (rollup.config.mjs
// points `credit-card-type` here): the library's own card table and matching functions, in its own
// order, without the API for changing them at run time (addCard, updateCard, changeOrder…), which the
// fields never call and which was a tenth of frame.js. test/iframe/card-type-matcher.test.ts checks it
// answers exactly as the library does.
const cardTypes = require('credit-card-type/dist/lib/card-types');
const { addMatchingCardsToResults } = require('credit-card-type/dist/lib/add-matching-cards-to-results');
const { isValidInputType } = require('credit-card-type/dist/lib/is-valid-input-type');
const { findBestMatch } = require('credit-card-type/dist/lib/find-best-match');
const { clone } = require('credit-card-type/dist/lib/clone');

const ORDER = [
  'visa',
  'mastercard',
  'american-express',
  'diners-club',
  'discover',
  'troy',
  'jcb',
  'unionpay',
  'naranja',
  'verve',
  'maestro',
  'elo',
  'mir',
  'hiper',
  'hipercard',
];

function creditCardType(cardNumber) {
  const results = [];
  if (!isValidInputType(cardNumber)) return results;
  if (cardNumber.length === 0) return ORDER.map((type) => clone(cardTypes[type]));
  for (const type of ORDER) addMatchingCardsToResults(cardNumber, cardTypes[type], results);
  const best = findBestMatch(results);
  return best ? [best] : results;
}
creditCardType.types = { UNIONPAY: 'unionpay' };

module.exports = creditCardType;
