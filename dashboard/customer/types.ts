// The shapes the customer pages read, taken from the wire schemas the server answers with, so a
// change of contract shows up here as a type error rather than a blank cell.
export type { CardView } from '../../protocol/schemas/cards.ts';
export type { ChargeView } from '../../protocol/schemas/charges.ts';
export type { CustomerView } from '../../protocol/schemas/customers.ts';
export type { InvoiceView } from '../../protocol/schemas/invoices.ts';
export type { MandateView } from '../../protocol/schemas/mandates.ts';
export type { MessageView } from '../../protocol/schemas/messages.ts';

/** A customer's path under /v1 (numbers may hold `@` and `.`, so it is always encoded). */
export const customerPath = (customer: string): string => `/v1/customers/${encodeURIComponent(customer)}`;
