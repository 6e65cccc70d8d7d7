// The contract's test cards, declared once for the tests, the benchmarks and the screenshot script.

export const CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  incorrectCvc: '4000000000000127',
  expired: '4000000000000069',
  processingError: '4000000000000119',
  challenge: '4000000000003220',
  declineAfterSave: '4000000000000341',
} as const;

export const newCard = (number: string, cvc = number.startsWith('37') ? '1234' : '123') => ({
  number,
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  cvc,
});
