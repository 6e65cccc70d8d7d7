// Where SMS go. The vault ships no SMS gateway: the default provider leaves each text in the outbox
// (the messages table) for the demo to show; a real gateway implements the same two members.
export interface SmsProvider {
  /** Recorded as the message's transport. */
  readonly name: string;
  /** True when send() only leaves the text in the outbox: the message is recorded as queued, not sent. */
  readonly outbox?: boolean;
  /** Resolves once the gateway accepted the text; rejects with a reason that carries no credentials. */
  send(to: string, text: string): Promise<void>;
}

export const outboxSmsProvider: SmsProvider = {
  name: 'outbox',
  outbox: true,
  async send() {},
};
