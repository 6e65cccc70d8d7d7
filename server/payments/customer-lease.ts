// One charge of a customer at a time, across every vault instance on the database: a lease row,
// taken from a charge's limit checks to its record, so that concurrent charges (merchant- or
// customer-initiated) never pass a limit or a mandate's frequency together. The holder renews it
// while alive, so a dead holder frees the customer within seconds; its holder id is a fencing token
// that a late holder's processor call and record must still match.
import type { Kysely } from 'kysely';
import type { Deps } from '../context.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { randomSecret } from '../ids.ts';

/**
 * How long a lease outlives its last renewal. Shorter than the idempotency takeover (20 s), so that
 * a retry of a dead holder's request finds the customer free; renewed while the holder is alive,
 * so a slow processor call never loses it.
 */
const LEASE_MS = 15_000;
const RENEW_MS = 5_000;
/** How long a charge waits for another instance's charge of the same customer before answering 409. */
const WAIT_MS = 15_000;

/** The lease was taken over (its holder stalled past LEASE_MS): whatever this holder decided is void. */
export class LeaseLost extends Error {
  constructor(name: string) {
    super(`lease ${name} was taken over by another holder`);
    this.name = 'LeaseLost';
  }
}

/**
 * Confirms that the lease is still held before money moves: a lease taken over (this holder stalled)
 * answers 409 request_in_progress, and nothing is charged; the caller simply retries.
 */
export async function assertLeaseHeld(lease: CustomerLease | undefined, what: 'payment' | 'charge'): Promise<void> {
  try {
    await lease?.confirm();
  } catch (err) {
    if (err instanceof LeaseLost) throw new ApiError('request_in_progress', `Another ${what} of this customer is in progress; retry shortly`, { headers: { 'Retry-After': '1' } });
    throw err;
  }
}

export interface CustomerLease {
  /**
   * Renews the lease if this holder still has it, else throws LeaseLost. Called with the recording
   * transaction, it fences the record: a holder that was taken over records nothing.
   */
  confirm(db?: Kysely<Database>): Promise<void>;
}

/** Per runtime (keyed by its database), the tail of the queue of charges waiting for each customer. */
const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` while holding the lease on `name`: one charge of a customer at a time across every
 * instance on the database, from its checks to its record. Waiters of this instance queue in memory;
 * only a lease held by another instance is polled for. Wall time, not deps.clock: leases are real.
 */
export async function withCustomerLease<T>(deps: Deps, name: string, fn: (lease: CustomerLease) => Promise<T>): Promise<T> {
  let local = queues.get(deps.db);
  if (!local) queues.set(deps.db, (local = new Map()));
  const before = local.get(name) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => mine);
  local.set(name, tail);
  try {
    // One deadline for the whole wait, behind this instance's charges as behind another's: a hung
    // charge never holds the customer's later payments (and their idempotency keys) for ever.
    const deadline = Date.now() + WAIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      before.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (!waited) throw busy();
    const holder = randomSecret(12);
    await acquire(deps, name, holder, deadline);
    const renew = async (db: Kysely<Database>) => {
      const renewed = await db.updateTable('leases').set({ until: new Date(Date.now() + LEASE_MS).toISOString() })
        .where('name', '=', name).where('holder', '=', holder).executeTakeFirst();
      if (Number(renewed.numUpdatedRows) !== 1) throw new LeaseLost(name);
    };
    const heartbeat = setInterval(() => {
      renew(deps.db).catch((err: Error) => {
        if (!(err instanceof LeaseLost)) deps.logger.warn({ lease: name, error: err.message }, 'lease not renewed; retrying');
      });
    }, RENEW_MS);
    heartbeat.unref();
    try {
      return await fn({ confirm: (db = deps.db) => renew(db) });
    } finally {
      clearInterval(heartbeat);
      await deps.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute()
        .catch((err: Error) => deps.logger.warn({ lease: name, error: err.message }, 'lease not released; it expires by itself'));
    }
  } finally {
    release();
    if (local.get(name) === tail) local.delete(name);
  }
}

const busy = () => new ApiError('request_in_progress', 'Another charge of this customer is in progress; retry shortly', { headers: { 'Retry-After': '1' } });

async function acquire(deps: Deps, name: string, holder: string, deadline: number): Promise<void> {
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const now = Date.now();
    const until = new Date(now + LEASE_MS).toISOString();
    const taken = await deps.db.insertInto('leases')
      .values({ name, holder, until })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder, until }).where('leases.until', '<', new Date(now).toISOString()))
      .executeTakeFirst();
    if (Number(taken.numInsertedOrUpdatedRows ?? 0) === 1) return;
    if (now >= deadline) throw busy();
    await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
  }
}
