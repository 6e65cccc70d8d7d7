// The dashboard's own JSON API under /dashboard/api, called with a staff session rather than a key: who is
// signed in (/me), the audit log (/audit) and the overview's figures (/overview). Not part of /v1 nor of
// its OpenAPI document; the dashboard's bundle reads these types through protocol/types.ts.
import { z } from 'zod';
import { listOf } from './common.ts';

/** One page of a paged list as listOf() writes it: the audit log's, and every /v1 list the dashboard reads. */
export type Page<T> = z.infer<ReturnType<typeof listOf<z.ZodType<T>>>>;

// ---- GET /dashboard/api/me ----

/** One of the person's accounts at another shop (their test or live shop, a sister shop): same email, a password set. */
export const OtherAccount = z.object({
  merchant_id: z.string(),
  merchant_name: z.string(),
  livemode: z.boolean(),
});
export type OtherAccount = z.infer<typeof OtherAccount>;

export const Me = z.object({
  email: z.string(),
  role: z.enum(['admin', 'viewer']),
  /** The token every change through /dashboard/api carries in X-CSRF-Token. */
  csrf_token: z.string(),
  merchant: z.object({ id: z.string(), name: z.string(), livemode: z.boolean() }),
  /** The person's accounts at their other shops (the test-mode switch). */
  other_accounts: z.array(OtherAccount),
});
export type Me = z.infer<typeof Me>;

// ---- GET /dashboard/api/audit ----

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  starting_after: z.string().max(64).optional(),
});

export const AuditLine = z.object({
  id: z.string(),
  /** The person, by the email they sign in with (null once their account is gone). */
  staff_email: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created: z.string(),
});
export type AuditLine = z.infer<typeof AuditLine>;

export const AuditList = listOf(AuditLine);
export type AuditList = z.infer<typeof AuditList>;

// ---- GET /dashboard/api/overview ----

export const OverviewQuery = z.strictObject({
  days: z.coerce.number().int().min(7).max(90).default(30),
});

export const OverviewDay = z.object({
  date: z.string(),
  charges: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  /** succeeded ÷ (succeeded + failed); null on a day without charges. */
  approval_rate: z.number().nullable(),
  /** The succeeded amount per currency, in minor units. */
  volume: z.record(z.string(), z.number()),
});
export type OverviewDay = z.infer<typeof OverviewDay>;

/** Why the scheduler will not charge an invoice by itself. */
export const NotAutomatic = z.enum(['auto_pay_off', 'past_due', 'no_default_card', 'no_mandate', 'outside_mandate', 'customer_denied', 'test_mode_live_card']);
export type NotAutomatic = z.infer<typeof NotAutomatic>;

export const UpcomingPayment = z.object({
  invoice: z.string(),
  customer: z.string(),
  amount: z.number(),
  currency: z.string(),
  due_date: z.string(),
  automatic: z.boolean(),
  /** The first day the scheduler will try it (its auto_pay_days window), when automatic. */
  charge_from: z.string().nullable(),
  reason: NotAutomatic.nullable(),
});
export type UpcomingPayment = z.infer<typeof UpcomingPayment>;

export const Overview = z.object({
  days: z.number(),
  from: z.string(),
  to: z.string(),
  /** The currency most charged in the range (the chart's), or null without charges. */
  currency: z.string().nullable(),
  totals: OverviewDay.omit({ date: true }),
  daily: z.array(OverviewDay),
  declines: z.array(z.object({ code: z.string(), count: z.number() })),
  upcoming: z.array(UpcomingPayment),
});
export type Overview = z.infer<typeof Overview>;
