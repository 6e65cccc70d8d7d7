// POST /v1/scheduler/run: one pass of the scheduler now, or (test mode) a rehearsal of one as of another time.
import { z } from 'zod';

export const SchedulerRunRequest = z.strictObject({
  /** Test mode only: rehearse a pass as of this time. Nothing is charged, sent or changed. */
  now: z.iso.datetime({ offset: true, error: 'now must be an ISO 8601 time' }).optional(),
});

/** What a pass would do as of `now` (POST /v1/scheduler/run with `now`, test mode): it changes nothing. */
export const SchedulerPreview = z.object({
  now: z.string(),
  would_charge: z.array(
    z.object({
      invoice: z.string(),
      customer: z.string(),
      amount: z.number(),
      currency: z.string(),
      due_date: z.string(),
      card: z.string(),
      mandate: z.string(),
    }),
  ),
  would_notify: z.array(
    z.discriminatedUnion('type', [
      z.object({
        type: z.literal('invoice.payment_failed'),
        invoice: z.string(),
        customer: z.string(),
        code: z.string(),
        /** Why a card would be refused before the processor is asked: test_mode_live_card. */
        decline_code: z.string().optional(),
      }),
      z.object({ type: z.literal('card.expiring'), card: z.string(), customer: z.string(), last4: z.string(), exp_month: z.number(), exp_year: z.number() }),
    ]),
  ),
  would_end_mandates: z.array(z.string()),
  would_mark_past_due: z.array(z.string()),
});
export type SchedulerPreview = z.infer<typeof SchedulerPreview>;

/** What one pass of the scheduler did. */
export const SchedulerRun = z.object({
  /** Invoices this pass tried to charge (each at most once a day, across every instance). */
  charged: z.number(),
  paid: z.number(),
  failed: z.number(),
  /** Cards announced with `card.expiring`. */
  expiring: z.number(),
  /** Mandates whose end date passed, now stored as ended. */
  mandates_ended: z.number(),
  /** Open invoices past their due date, now `past_due`. */
  past_due: z.number(),
});
export type SchedulerRun = z.infer<typeof SchedulerRun>;

/** The answer of POST /v1/scheduler/run: what the pass did, or with `now` what it would do. */
export const SchedulerRunResult = z.union([SchedulerRun, SchedulerPreview]);
