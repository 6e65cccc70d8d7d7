// Adyen's refusal reasons in the contract's decline codes. Adyen's own code and text are kept beside
// them (processor_response), so nothing Adyen said is lost by the translation.
// https://docs.adyen.com/development-resources/refusal-reasons
import type { DeclineCode } from '../../payments/processor.ts';

export interface Decline {
  code: DeclineCode;
  decline_code: string;
  message: string;
}

const MESSAGES: Record<DeclineCode, string> = {
  card_declined: 'The card was declined.',
  insufficient_funds: 'The card has insufficient funds.',
  incorrect_cvc: 'The card security code is incorrect.',
  expired_card: 'The card has expired.',
  authentication_required: 'The issuer asks for 3-D Secure authentication, which did not succeed.',
};

/** refusalReasonCode → [the contract's code, decline_code]. Codes not listed are a generic decline. */
const BY_CODE: Record<string, [DeclineCode, string]> = {
  '2': ['card_declined', 'generic_decline'], // Refused
  '3': ['card_declined', 'call_issuer'], // Referral
  '4': ['card_declined', 'processing_error'], // Acquirer Error
  '5': ['card_declined', 'blocked_card'], // Blocked Card
  '6': ['expired_card', 'expired_card'], // Expired Card
  '7': ['card_declined', 'invalid_amount'], // Invalid Amount
  '8': ['card_declined', 'incorrect_number'], // Invalid Card Number
  '9': ['card_declined', 'issuer_not_available'], // Issuer Unavailable
  '10': ['card_declined', 'card_not_supported'], // Not supported
  '11': ['authentication_required', 'authentication_required'], // 3D Not Authenticated
  '12': ['insufficient_funds', 'insufficient_funds'], // Not enough balance
  '14': ['card_declined', 'fraudulent'], // Acquirer Fraud
  '20': ['card_declined', 'fraudulent'], // FRAUD
  '22': ['card_declined', 'fraudulent'], // FRAUD-CANCELLED
  '23': ['card_declined', 'transaction_not_allowed'], // Transaction Not Permitted
  '24': ['incorrect_cvc', 'incorrect_cvc'], // CVC Declined
  '25': ['card_declined', 'restricted_card'], // Restricted Card
  '26': ['card_declined', 'revocation_of_authorization'], // Revocation Of Auth
  '28': ['card_declined', 'withdrawal_amount_exceeded'], // Withdrawal amount exceeded
  '29': ['card_declined', 'withdrawal_count_exceeded'], // Withdrawal count exceeded
  '31': ['card_declined', 'fraudulent'], // Issuer Suspected Fraud
  '38': ['authentication_required', 'authentication_required'], // Authentication required
  '42': ['authentication_required', 'authentication_required'], // 3DS Authentication Error
};

export function declineFor(refusalReasonCode: string | undefined): Decline {
  const [code, decline_code] = BY_CODE[refusalReasonCode ?? ''] ?? ['card_declined', 'generic_decline'];
  return { code, decline_code, message: MESSAGES[code] };
}
