// What one language's wording of customer messages is, and the helpers every language writes it with.
import type { MessageTemplate } from '../messenger.ts';

export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
}

/** What a template may name, already formatted for the locale (and isolated in a right-to-left one). */
export interface Vars {
  merchant: string;
  amount: string;
  due?: string;
  /** Four digits, or a mask when the caller did not say which card. */
  last4: string;
  hasCard: boolean;
  description?: string;
}

export type Wording = Record<MessageTemplate, (v: Vars) => RenderedMessage>;

/** Ends a sentence, unless it already ends with a full stop (Russian dates end with "г."). */
export const dot = (s: string) => (s.endsWith('.') ? s : `${s}.`);

export const mail = (hello: string, lines: (string | false | undefined)[], bye: string) =>
  [hello, '', ...lines.filter((l): l is string => typeof l === 'string'), '', bye].join('\n');
