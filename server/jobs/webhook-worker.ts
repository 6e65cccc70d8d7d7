// Webhook delivery. The events table is the outbox (events/outbox.ts): each pass takes the due events,
// leases each one, POSTs it signed to its merchant's URL, has the attempt recorded, and retries a
// failure with backoff for three days. Delivery is at least once and in no guaranteed order; receivers
// deduplicate on the event id. This module sends and keeps the schedule; the outbox writes the rows.
import { DAY_MS } from '../clock.ts';
import type { Deps } from '../context.ts';
import { settled } from '../db/database.ts';
import type { EventTable, WebhookAttemptTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { getEvent } from '../events/event-store.ts';
import { toEventView } from '../events/event-view.ts';
import { dueEvents, leaseEvent, markDelivered, recordAttempt, settleDelivery, settleUnaddressed } from '../events/outbox.ts';
import { newId } from '../ids.ts';
import { type WebhookMerchant, webhookMerchant, webhookMerchants } from '../merchants/webhook-settings.ts';
import { liveSecrets, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';
import { postToWebhook, recordedUrl, type AttemptError } from './webhook-target.ts';

/** Waits after the 1st, 2nd, … failed attempt; the last one repeats until the window closes. */
const BACKOFF_SECONDS = [30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200];
/** How long after its creation an event is still retried (the contract asks for at least 24 h). */
export const RETRY_WINDOW_MS = 3 * DAY_MS;
/** Longer than a send can take (the timeout), so that a lease never lapses under a live sender. */
const LEASE_MS = 60_000;
export const TIMEOUT_MS = 10_000;
const CONCURRENCY = 8;
/** A pass sends at most this many of one merchant's events: one slow endpoint holds half the senders, never all. */
const PER_MERCHANT = 4;
export const USER_AGENT = 'card-vault-webhooks/1';

type WorkerDeps = Pick<Deps, 'db' | 'logger' | 'clock' | 'webhookTargets'>;

export interface DeliveryReport {
  delivered: number;
  retrying: number;
  failed: number;
  none: number;
  /** Due events another pass (this instance or another) leased first. */
  skipped: number;
}

export interface DeliveryOptions {
  /** The pass's time (tests move it); by default the clock at each send. */
  now?: Date;
  /** At most this many events per pass (default 100). */
  limit?: number;
}

/** The wait after `attempts` failed attempts. */
export function backoffMs(attempts: number): number {
  return BACKOFF_SECONDS[Math.min(attempts, BACKOFF_SECONDS.length) - 1] * 1000;
}

/** The body a receiver gets: the event as GET /v1/events lists it. */
export function eventPayload(event: Pick<EventTable, 'id' | 'type' | 'created_at' | 'data'>): string {
  return JSON.stringify(toEventView(event));
}

/**
 * Sends what is due, up to `limit` events, in rounds: each round takes at most PER_MERCHANT of any one
 * merchant's events, the merchants taking turns, so one merchant's backlog or slow endpoint delays
 * another's events by one round at most. The background worker runs one round a pass (startWebhookWorker).
 */
export async function deliverDueEvents(deps: WorkerDeps, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const total: DeliveryReport = { delivered: 0, retrying: 0, failed: 0, none: 0, skipped: 0 };
  for (let left = options.limit ?? 100; left > 0; ) {
    const { report, more } = await deliveryPass(deps, { ...options, limit: left });
    for (const key of Object.keys(total) as (keyof DeliveryReport)[]) total[key] += report[key];
    const handled = report.delivered + report.retrying + report.failed + report.none + report.skipped;
    left -= handled;
    if (!more || handled === 0) break;
  }
  return total;
}

/** One pass, and whether more may be due already: the pass took its limit, or a merchant's full share. */
async function deliveryPass(deps: WorkerDeps, options: DeliveryOptions): Promise<{ report: DeliveryReport; more: boolean }> {
  const clock = () => options.now ?? deps.clock();
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0, none: 0, skipped: 0 };
  const limit = options.limit ?? 100;
  const due = await dueEvents(deps.db, clock(), limit, PER_MERCHANT);
  const shares = new Map<string, number>();
  for (const row of due) shares.set(row.merchant_id, (shares.get(row.merchant_id) ?? 0) + 1);
  const more = due.length >= limit || [...shares.values()].some((n) => n >= PER_MERCHANT);
  if (!due.length) return { report, more };
  const merchants = await webhookMerchants(deps.db, [...new Set(due.map((row) => row.merchant_id))]);
  // A merchant without a webhook URL has nothing to send. An event raised without one is `none` from its
  // INSERT; one whose URL was removed since is settled here in one statement, which (like a lease) only
  // takes those still due, so another instance's pass takes none of them twice.
  const silent = due.filter((row) => !merchants.get(row.merchant_id)?.webhook_url).map((row) => row.id);
  if (silent.length) {
    const marked = await settleUnaddressed(deps.db, silent, clock());
    report.none += marked;
    report.skipped += silent.length - marked;
  }
  const queue = due.filter((row) => merchants.get(row.merchant_id)?.webhook_url).map((row) => row.id);
  const work = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      const now = clock();
      const event = await leaseEvent(deps.db, id, now, new Date(now.getTime() + LEASE_MS));
      if (!event) {
        report.skipped++;
        continue;
      }
      try {
        report[await deliverLeased(deps, event, clock)]++;
      } catch (err) {
        // A database hiccup: the lease lapses and a later pass sends the event again.
        deps.logger.error({ err, event: id }, 'webhook delivery failed unexpectedly');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
  return { report, more };
}

/** Sends a leased event once and settles it by the attempt's outcome and the backoff schedule. */
async function deliverLeased(deps: WorkerDeps, event: EventTable, clock: () => Date): Promise<Exclude<keyof DeliveryReport, 'skipped'>> {
  // The URL as it is now: the merchant may have changed it since the pass began.
  const merchant = await webhookMerchant(deps.db, event.merchant_id);
  if (!merchant?.webhook_url) {
    await settleDelivery(deps.db, event.id, { to: 'none' });
    return 'none';
  }
  const attempt = await sendEvent(deps, merchant, event, clock());
  const attempts = event.attempts + 1;
  if (isSuccess(attempt.status_code)) {
    await settleDelivery(deps.db, event.id, { to: 'delivered', attempts });
    return 'delivered';
  }
  const at = Date.parse(attempt.created_at);
  const created = Date.parse(event.created_at);
  if (at - created >= RETRY_WINDOW_MS) {
    await settleDelivery(deps.db, event.id, { to: 'failed', attempts });
    deps.logger.warn({ event: event.id, merchant: merchant.id, attempts }, 'webhook delivery given up');
    return 'failed';
  }
  // The last retry lands on the window's end rather than past it.
  const next = Math.min(at + backoffMs(attempts), created + RETRY_WINDOW_MS);
  await settleDelivery(deps.db, event.id, { to: 'pending', attempts, next_attempt_at: new Date(next).toISOString() });
  return 'retrying';
}

export const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * POST /v1/events/:id/redeliver: one attempt now, outside the retry schedule. A success ends the
 * schedule, a failure leaves it as it was. Answers the attempt and the event as it stands after it.
 */
export async function redeliverEvent(deps: WorkerDeps, merchantId: string, id: string): Promise<{ attempt: WebhookAttemptTable; event: EventTable }> {
  const event = await getEvent(deps.db, merchantId, id);
  const merchant = await webhookMerchant(deps.db, event.merchant_id);
  if (!merchant?.webhook_url) {
    throw new ApiError('parameter_missing', 'The merchant has no webhook_url: set it with POST /v1/merchant first', { param: 'webhook_url' });
  }
  const attempt = await sendEvent(deps, merchant, event, deps.clock());
  if (!isSuccess(attempt.status_code)) return { attempt, event };
  await markDelivered(deps.db, event.id);
  return { attempt, event: { ...event, delivery: 'delivered', next_attempt_at: null } };
}

/**
 * One signed POST of the event to the merchant's URL, recorded as an attempt whatever happens. The
 * URL is checked again here, after resolution: what passed when it was set may point elsewhere now.
 */
export async function sendEvent(
  deps: Pick<Deps, 'db' | 'logger' | 'webhookTargets'>,
  merchant: WebhookMerchant,
  event: EventTable,
  now: Date,
): Promise<WebhookAttemptTable> {
  // The event's own commit (or a later one) may not be on disk yet: nothing is sent about it before it is.
  await settled(deps.db);
  const body = eventPayload(event);
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    [SIGNATURE_HEADER]: signatureHeader(liveSecrets(merchant, now), Math.floor(now.getTime() / 1000), body),
  };
  const started = performance.now();
  // A live merchant's URL on http (set before the rule, or written straight in) is refused here: nothing is sent.
  const owner = { live: merchant.livemode === 1 };
  const outcome = await postToWebhook(deps.webhookTargets, merchant.webhook_url!, owner, headers, body, TIMEOUT_MS);
  const status_code = 'status' in outcome ? outcome.status : null;
  // Only a class is recorded: a socket's message would tell the merchant which ports answer inside the vault's network.
  const error: AttemptError | null = 'error' in outcome ? outcome.error : isSuccess(status_code) ? null : 'http_status';
  if ('error' in outcome) deps.logger.info({ event: event.id, merchant: merchant.id, error: outcome.error, cause: outcome.cause }, 'webhook attempt failed');
  const attempt: WebhookAttemptTable = {
    id: newId('wha'),
    event_id: event.id,
    merchant_id: merchant.id,
    url: recordedUrl(merchant.webhook_url!),
    status_code,
    error,
    duration_ms: Math.round(performance.now() - started),
    created_at: now.toISOString(),
  };
  await recordAttempt(deps.db, attempt);
  return attempt;
}

/**
 * Runs a delivery pass every `intervalMs` (0: never) until the returned function is called; that
 * function resolves once a pass in flight has finished, so the database can close after it.
 */
export function startWebhookWorker(deps: WorkerDeps, intervalMs: number, options: { limit?: number } = {}): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  const limit = options.limit ?? 100;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    let full = false;
    running = deliveryPass(deps, { limit })
      .then(({ report: r, more }) => {
        full = more;
        if (r.delivered + r.retrying + r.failed > 0) deps.logger.debug(r, 'webhook delivery pass');
      })
      .catch((err) => deps.logger.error({ err }, 'webhook delivery pass failed'))
      .finally(() => {
        running = undefined;
        // A full batch, or a merchant's full share, means more may be waiting: go on at once instead of after the interval.
        schedule(full ? 0 : intervalMs);
      });
  };
  schedule(intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
