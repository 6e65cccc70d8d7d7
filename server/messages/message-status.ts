// A customer message's stored status. It is recorded queued before it is handed to its transport, then
// settled once by what the transport did: sent, or failed with the reason. A message left in the outbox
// (no SMTP, or an SMS for the demo to show) stays queued.
import type { MessageView } from '../../protocol/api.ts';
import type { MessageStatus } from '../db/schema.ts';
import { defineMachine, type Assert, type Equal, type Transitions } from '../db/state-machine.ts';

export type { MessageStatus } from '../db/schema.ts';

const transitions = {
  queued: ['sent', 'failed'],
  sent: [],
  failed: [],
} as const satisfies Transitions<MessageStatus>;

export const messageMachine = defineMachine<MessageStatus, typeof transitions>('message', ['queued'], transitions);

type _ApiStatus = Assert<Equal<MessageView['status'], MessageStatus>>;
