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
import { postToWebhook, recordedUrl, type AttemptError, type PostOutcome } from './webhook-target.ts';
import { KeyUnavailableError, VaultDecryptError } from '../keys/envelope.ts';

/** Waits after the 1st, 2nd, … failed attempt; the last one repeats until the window closes. */
const BACKOFF_SECONDS = [30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200];
/** How long after its creation an event is still retried (the contract asks for at least 24 h). */
export const RETRY_WINDOW_MS = 3 * DAY_MS;
/** Longer than a send can take (the timeout), so that a lease never lapses under a live sender. */
const LEASE_MS = 60_000;
export const TIMEOUT_MS = 10_000;
const CONCURRENCY = 8;
/** Senders one merchant may hold while another's events wait: a slow endpoint holds half of them, never all. */
const PER_MERCHANT = 4;
export const USER_AGENT = 'card-vault-webhooks/1';

type WorkerDeps = Pick<Deps, 'db' | 'ring' | 'logger' | 'clock' | 'webhookTargets'>;

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

type Due = Pick<EventTable, 'id' | 'merchant_id'>;

/**
 * The senders' shared work: the due events read last (each merchant's oldest first, the merchants
 * taking turns), and how many of each merchant's are being sent. A merchant whose endpoint is slow, or
 * that raised a flood of events, holds PER_MERCHANT senders at most while another merchant's events
 * wait, and all but one when it is alone: the others' events go out as soon as they are read.
 */
class Senders {
  private queue: Due[] = [];
  private readonly sending = new Map<string, number>();
  private filling: Promise<void> | undefined;
  /** Called when a send ends: a sender waiting for a merchant's share may go on. */
  private wake: (() => void)[] = [];
  readonly report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0, none: 0, skipped: 0 };
  filledAt = 0;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly clock: () => Date,
    private readonly limit: number,
  ) {}

  get waiting(): boolean {
    return this.queue.length > 0;
  }

  /** Reads what is due now in place of what was read before (leased events are not due, so none is sent twice). */
  fill(): Promise<void> {
    this.filling ??= this.read().finally(() => {
      this.filling = undefined;
      this.filledAt = Date.now();
    });
    return this.filling;
  }

  private async read(): Promise<void> {
    const due = await dueEvents(this.deps.db, this.clock(), this.limit);
    const merchants = await webhookMerchants(this.deps.db, [...new Set(due.map((row) => row.merchant_id))]);
    // A merchant without a webhook URL has nothing to send. An event raised without one is `none` from its
    // INSERT; one whose URL was removed since is settled here in one statement, which (like a lease) only
    // takes those still due, so another instance's pass takes none of them twice.
    const silent = due.filter((row) => !merchants.get(row.merchant_id)?.webhook_url).map((row) => row.id);
    if (silent.length) {
      const marked = await settleUnaddressed(this.deps.db, silent, this.clock());
      this.report.none += marked;
      this.report.skipped += silent.length - marked;
    }
    this.queue = due.filter((row) => merchants.get(row.merchant_id)?.webhook_url);
  }

  /** The next event a sender may take, or undefined while every waiting merchant has its share out. */
  take(): Due | undefined {
    const others = (merchant: string) => this.queue.some((row) => row.merchant_id !== merchant) || [...this.sending.keys()].some((m) => m !== merchant);
    const index = this.queue.findIndex((row) => {
      const out = this.sending.get(row.merchant_id) ?? 0;
      return out < (others(row.merchant_id) ? PER_MERCHANT : CONCURRENCY - 1);
    });
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  /** Resolves when a send ends, or after `ms`, or at wakeAll(). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const index = this.wake.indexOf(done);
        if (index >= 0) this.wake.splice(index, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.wake.push(done);
    });
  }

  wakeAll(): void {
    for (const wake of this.wake.splice(0)) wake();
  }

  async send(row: Due): Promise<void> {
    this.sending.set(row.merchant_id, (this.sending.get(row.merchant_id) ?? 0) + 1);
    try {
      const now = this.clock();
      const event = await leaseEvent(this.deps.db, row.id, now, new Date(now.getTime() + LEASE_MS));
      if (!event) this.report.skipped++;
      else this.report[await deliverLeased(this.deps, event, this.clock)]++;
    } catch (err) {
      // A database hiccup: the lease lapses and a later pass sends the event again.
      this.deps.logger.error({ err, event: row.id }, 'webhook delivery failed unexpectedly');
    } finally {
      const left = (this.sending.get(row.merchant_id) ?? 1) - 1;
      if (left) this.sending.set(row.merchant_id, left);
      else this.sending.delete(row.merchant_id);
      this.wakeAll();
    }
  }
}

/** Sends what is due now, up to `limit` events, with the background worker's senders and shares. */
export async function deliverDueEvents(deps: WorkerDeps, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const senders = new Senders(deps, () => options.now ?? deps.clock(), options.limit ?? 100);
  await senders.fill();
  const sender = async () => {
    while (senders.waiting) {
      const row = senders.take();
      if (row) await senders.send(row);
      else await senders.pause(LEASE_MS);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return senders.report;
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
  deps: Pick<Deps, 'db' | 'ring' | 'logger' | 'webhookTargets'>,
  merchant: WebhookMerchant,
  event: EventTable,
  now: Date,
): Promise<WebhookAttemptTable> {
  // The event's own commit (or a later one) may not be on disk yet: nothing is sent about it before it is.
  await settled(deps.db);
  const body = eventPayload(event);
  const started = performance.now();
  const secrets = openSecrets(deps, merchant, now);
  // A live merchant's URL on http (set before the rule, or written straight in) is refused here: nothing is sent.
  const owner = { live: merchant.livemode === 1 };
  const outcome: PostOutcome = secrets
    ? await postToWebhook(
        deps.webhookTargets,
        merchant.webhook_url!,
        owner,
        { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(now.getTime() / 1000), body) },
        body,
        TIMEOUT_MS,
      )
    : { error: 'secret_unavailable', cause: 'key_unavailable' };
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
 * The merchant's live signing secrets, opened; undefined when the key ring no longer holds the key that
 * sealed them (the operator removed it without a rotation): nothing can be signed, so nothing is sent,
 * and the attempt says so while the retry schedule runs on.
 */
function openSecrets(deps: Pick<Deps, 'ring' | 'logger'>, merchant: WebhookMerchant, now: Date): string[] | undefined {
  try {
    return liveSecrets(deps.ring, merchant, now);
  } catch (err) {
    if (!(err instanceof VaultDecryptError)) throw err;
    deps.logger.error(
      { merchant: merchant.id, key_version: err instanceof KeyUnavailableError ? err.keyVersion : undefined },
      "a merchant's webhook signing secret could not be opened with the key ring: nothing is sent until its key is back in VAULT_KEYS or KEY_FILE",
    );
    return undefined;
  }
}

/**
 * Keeps CONCURRENCY senders at work until the returned function is called: each takes the next due event
 * it may (see Senders), and the due events are read again every `intervalMs` (0: never) while a sender
 * has nothing to take. The function resolves once the sends in flight have finished, so the database
 * can close after them.
 */
export function startWebhookWorker(deps: WorkerDeps, intervalMs: number, options: { limit?: number } = {}): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let stopped = false;
  const senders = new Senders(deps, () => deps.clock(), options.limit ?? 100);
  // The senders share each read of the due events, and so its failure: it is logged once, not by each.
  const logged = new WeakSet<object>();
  const sender = async () => {
    while (!stopped) {
      try {
        const row = senders.take();
        if (row) {
          await senders.send(row);
          continue;
        }
        const since = Date.now() - senders.filledAt;
        if (since >= intervalMs) await senders.fill();
        else await senders.pause(intervalMs - since);
      } catch (err) {
        if (!(err instanceof Object) || !logged.has(err)) deps.logger.error({ err }, 'webhook delivery pass failed');
        if (err instanceof Object) logged.add(err);
        await senders.pause(intervalMs);
      }
    }
  };
  // The first read after one interval, as a pass on a timer did.
  senders.filledAt = Date.now();
  const running = Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return async () => {
    stopped = true;
    senders.wakeAll();
    await running;
  };
}
