// One charge of a customer at a time, across every vault instance on the database: a lease row,
// taken from a charge's limit checks to its record, so that concurrent charges (merchant- or
// customer-initiated) never pass a limit or a mandate's frequency together. The holder renews it
// while alive, so a dead holder frees the customer within seconds; its holder id is a fencing token
// that a late holder's processor call and record must still match.
import { prepared } from '../db/prepared-query.ts';
import type { Deps } from '../context.ts';
import { relaxed, type Queryable } from '../db/database.ts';
import type { Atomic } from '../db/write-batch.ts';
import { ApiError } from '../errors.ts';
import { randomSecret } from '../ids.ts';

/**
 * How long a lease outlives its last renewal. Shorter than the idempotency takeover (20 s), so that
 * a retry of a dead holder's request finds the customer free; renewed while the holder is alive,
 * so a slow processor call never loses it.
 */
const LEASE_MS = 15_000;
const RENEW_MS = 5_000;
/** Renewed this recently, a lease is certainly still held: LEASE_MS less a margin for clocks that differ between instances. */
const FRESH_MS = LEASE_MS - 5_000;
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
    if (err instanceof LeaseLost)
      throw new ApiError('request_in_progress', `Another ${what} of this customer is in progress; retry shortly`, { headers: { 'Retry-After': '1' } });
    throw err;
  }
}

export interface CustomerLease {
  /**
   * Before money moves: throws LeaseLost if the lease may have been taken over. A holder renewed within
   * FRESH_MS cannot have been (another instance takes a lease only past its `until`), so only a holder
   * that stalled asks the database.
   */
  confirm(): Promise<void>;
  /**
   * Ends the lease inside the transaction that records the charge, fenced: a holder that was taken over
   * deletes nothing and throws LeaseLost, so it records nothing over the newer holder's decisions.
   */
  releaseIn(trx: Queryable): Promise<void>;
  /** The same, as one write of a batch (write-batch.ts): the batch throws LeaseLost and keeps nothing when taken over. */
  releaseWith(atomic: Atomic): void;
}

/** The lease of one customer's charges within a merchant group: the one name every path takes. */
export function customerLeaseName(groupId: string, customer: string): string {
  return `charge:${groupId}:${customer}`;
}

/**
 * What a lease needs: the database, and a logger for its warnings. A caller that holds only the
 * database (a card's deletion, called with `db`) takes it without one: its warnings are then not logged.
 */
export type LeaseDeps = Pick<Deps, 'db'> & { logger?: Pick<Deps['logger'], 'warn'> };

/** Per runtime (keyed by its database), the tail of the queue of charges waiting for each customer. */
const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` while holding the lease on `name`: one charge of a customer at a time across every
 * instance on the database, from its checks to its record. Waiters of this instance queue in memory;
 * only a lease held by another instance is polled for. Wall time, not deps.clock: leases are real.
 * The lease's own writes are relaxed: a power cut ends every lease anyway.
 */
export async function withCustomerLease<T>(deps: LeaseDeps, name: string, fn: (lease: CustomerLease) => Promise<T>): Promise<T> {
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
    let renewedAt = await acquire(deps, name, holder, deadline);
    let released = false;
    const renew = async () => {
      const at = Date.now();
      const renewed = await relaxed(deps.db, (q) =>
        q
          .updateTable('leases')
          .set({ until: new Date(at + LEASE_MS).toISOString() })
          .where('name', '=', name)
          .where('holder', '=', holder)
          .executeTakeFirst(),
      );
      if (Number(renewed.numUpdatedRows) !== 1) throw new LeaseLost(name);
      renewedAt = at;
    };
    const heartbeat = setInterval(() => {
      if (released) return;
      renew().catch((err: Error) => {
        if (!(err instanceof LeaseLost)) deps.logger?.warn({ lease: name, error: err.message }, 'lease not renewed; retrying');
      });
    }, RENEW_MS);
    heartbeat.unref();
    const lease: CustomerLease = {
      confirm: () => (Date.now() - renewedAt < FRESH_MS ? Promise.resolve() : renew()),
      releaseIn: async (trx) => {
        const deleted = await deleteLease(trx, { name, holder });
        if (Number(deleted.numAffectedRows) !== 1) throw new LeaseLost(name);
        released = true;
      },
      releaseWith: (atomic) =>
        atomic.write(deleteLease.compiled(deps.db, { name, holder }), { expectOne: () => new LeaseLost(name), counted: () => (released = true) }),
    };
    let failed = true;
    try {
      const result = await fn(lease);
      failed = false;
      return result;
    } finally {
      clearInterval(heartbeat);
      // Released with the record, nothing is left to do; after a failure the transaction that released
      // it may have rolled back, so it is deleted again (harmless when it is gone).
      if (failed || !released)
        await relaxed(deps.db, (q) => q.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute()).catch((err: Error) =>
          deps.logger?.warn({ lease: name, error: err.message }, 'lease not released; it expires by itself'),
        );
    }
  } finally {
    release();
    if (local.get(name) === tail) local.delete(name);
  }
}

/**
 * Runs `fn` between the customer's charges: a change that a charge's checks read (a mandate cancelled,
 * a card deleted) takes the customer's lease, so it waits for a charge at the processor to be recorded
 * and a charge begun after it sees it. A cancellation or deletion is never refused for a charge, though:
 * past the lease's wait (WAIT_MS, a charge stuck at the processor) `fn` runs without the lease, and
 * that charge's record then dates no mandate that is no longer active (merchant-charge.ts).
 */
export async function betweenCustomerCharges<T>(deps: LeaseDeps, groupId: string, customer: string, fn: () => Promise<T>): Promise<T> {
  const name = customerLeaseName(groupId, customer);
  let ran = false;
  try {
    return await withCustomerLease(deps, name, () => {
      ran = true;
      return fn();
    });
  } catch (err) {
    // Only the wait gave up (409 before `fn` ran); an error of `fn` itself is its caller's answer.
    if (ran || !(err instanceof ApiError && err.code === 'request_in_progress')) throw err;
    deps.logger?.warn({ lease: name }, 'a charge of the customer is still in progress; going ahead without the lease');
    return fn();
  }
}

/** Inserts the lease, or takes it over from a holder whose time ran out; one row affected when taken. */
const takeLease = prepared((q, a: { name: string; holder: string; until: string; now: string }) =>
  q
    .insertInto('leases')
    .values({ name: a.name, holder: a.holder, until: a.until })
    .onConflict((oc) => oc.column('name').doUpdateSet({ holder: a.holder, until: a.until }).where('leases.until', '<', a.now)),
);

/** Fenced: only the holder named deletes its lease. */
const deleteLease = prepared((q, a: { name: string; holder: string }) => q.deleteFrom('leases').where('name', '=', a.name).where('holder', '=', a.holder));

const busy = () => new ApiError('request_in_progress', 'Another charge of this customer is in progress; retry shortly', { headers: { 'Retry-After': '1' } });

/** Takes the lease row (or one whose holder let it lapse); returns when, on the wall clock. */
async function acquire(deps: LeaseDeps, name: string, holder: string, deadline: number): Promise<number> {
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const now = Date.now();
    const until = new Date(now + LEASE_MS).toISOString();
    const taken = await relaxed(deps.db, (q) => takeLease(q, { name, holder, until, now: new Date(now).toISOString() }));
    if (Number(taken.numAffectedRows ?? 0) === 1) return now;
    if (now >= deadline) throw busy();
    await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
  }
}
