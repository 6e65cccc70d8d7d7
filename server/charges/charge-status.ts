// A charge is recorded once the processor has answered, as succeeded or failed, and its status never
// changes after: a refund moves amount_refunded (and has its own machine), a dispute its own row.
import type { ChargeView } from '../../protocol/api.ts';
import type { ChargeStatus } from '../db/schema.ts';
import { defineMachine, type Assert, type Equal, type Transitions } from '../db/state-machine.ts';

export type { ChargeStatus } from '../db/schema.ts';

const transitions = {
  succeeded: [],
  failed: [],
} as const satisfies Transitions<ChargeStatus>;

export const chargeMachine = defineMachine<ChargeStatus, typeof transitions>('charge', ['succeeded', 'failed'], transitions);

type _ApiStatus = Assert<Equal<ChargeView['status'], ChargeStatus>>;
