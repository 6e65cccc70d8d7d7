// The edge we do not own: the card networks. The vault talks to them only through this interface.

export type Initiator = 'customer' | 'merchant';

export interface ProcessorCard {
  number: string;
  exp_month: number;
  exp_year: number;
  /** Only for customer-initiated operations; it goes to the processor and is then gone. */
  cvc?: string;
  holder?: string;
}

export interface AuthorizeRequest {
  /** Idempotent: the same reference answers with the first result and never operates twice. */
  reference: string;
  card: ProcessorCard;
  amount: number;
  currency: string;
  initiator: Initiator;
  /** The card comes from the vault (one-click or card on file), not from the customer's typing just now. */
  stored_credential: boolean;
  /** false: authorise only (the card check of a setup session), voided by the caller. */
  capture: boolean;
  /** A merchant-initiated charge carries the id of the customer-initiated charge its mandate began with. */
  network_transaction_id?: string;
  /** Set once the customer passed a 3-D Secure challenge for this card. */
  authenticated?: boolean;
  /** The merchant asks for 3-D Secure on every customer-initiated payment. */
  force_challenge?: boolean;
}

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'incorrect_cvc' | 'expired_card' | 'authentication_required';

export type AuthorizeResult =
  | { outcome: 'approved'; processor_id: string; network_transaction_id: string }
  | { outcome: 'declined'; processor_id: string; code: DeclineCode; decline_code?: string; message: string }
  | { outcome: 'challenge' }
  | { outcome: 'error'; message: string };

export interface BinInfo {
  issuer: string;
  country: string;
}

export interface Processor {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  void(processorId: string): Promise<void>;
  refund(request: { reference: string; processor_id: string; amount: number }): Promise<{ outcome: 'succeeded' | 'failed' }>;
  /** What became of an operation whose caller died before recording it. */
  lookup(reference: string): Promise<AuthorizeResult | undefined>;
  /**
   * Ends an operation whose outcome the vault does not know (a timeout, a lost answer, a caller that
   * died) before anything else is tried for the same payment: answers its result if it had one (the
   * money moved, or the card was declined); otherwise a late call with that reference takes no money,
   * and the answer is undefined.
   */
  cancel(reference: string): Promise<AuthorizeResult | undefined>;
  /** The issuer's answer to the code the customer typed into a 3-D Secure challenge. */
  verifyChallenge(code: string): boolean;
  binInfo(bin: string): BinInfo;
}
