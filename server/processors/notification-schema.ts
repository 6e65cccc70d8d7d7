// What a provider's notification must say before it is applied. The signature proves who sent it, not
// that its values are sound: a dispute's amount is whole minor units, its reason text, every id a short
// string. One item that is not refuses the whole delivery before anything in it is applied, as one item
// with a bad signature does, so a batch is never half-applied and then answered with a 500.
import { z } from 'zod';

const id = z.string().min(1).max(255);
const reason = z.string().max(1000).optional();
const at = z.iso.datetime().optional();

/**
 * What a provider's own notification told the vault, in the vault's words. `id` is the provider's
 * own id of this notification (a redelivery carries the same one); `payment` the provider's id of the
 * payment it concerns (`charges.processor_id`); a closing's `at`, when the provider says it closed so.
 */
const notification = z.discriminatedUnion('kind', [
  z.object({ id, kind: z.literal('refund_failed'), payment: id, refund: id.optional(), reason }).strict(),
  z
    .object({
      id,
      kind: z.literal('dispute_opened'),
      payment: id,
      dispute: id,
      amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      currency: z.string().regex(/^[A-Za-z]{3}$/),
      reason,
    })
    .strict(),
  z.object({ id, kind: z.literal('dispute_closed'), payment: id, dispute: id, outcome: z.enum(['won', 'lost']), reason, at }).strict(),
]);

export type ProcessorNotification = z.output<typeof notification>;

/** The notifications as read, or undefined when one of them is not sound (the delivery is refused). */
export function soundNotifications(list: ProcessorNotification[]): ProcessorNotification[] | undefined {
  const checked = z.array(notification).safeParse(list);
  return checked.success ? checked.data : undefined;
}
