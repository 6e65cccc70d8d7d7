// Signing in to the dashboard, switching to one's account at another shop, and signing out: the
// password check, the lock-out bookkeeping (sign-in-limits.ts), and the staff session written in one
// transaction with the audit lines that record it. The dashboard's routes turn each outcome into a
// page or a redirect and set the session cookie to the token returned.
import type { OtherAccount } from '../../protocol/api.ts';
import type { Deps } from '../context.ts';
import type { StaffUserTable } from '../db/schema.ts';
import { recordAudit } from './audit.ts';
import { verifyPassword } from './passwords.ts';
import { clearFailures, countAddressAttempt, failedAttempt, startAttempt } from './sign-in-limits.ts';
import { createStaffSession, deleteStaffSession, type StaffSession } from './staff-sessions.ts';
import { otherAccounts, signInCandidates } from './staff-store.ts';

type SignInDeps = Pick<Deps, 'db' | 'clock' | 'limiter'>;

/** The email is locked: `retryAfter` seconds to wait. */
type Locked = { ok: false; reason: 'locked'; retryAfter: number };

export type SignInOutcome =
  | { ok: true; token: string }
  /** Too many attempts from the address, all emails together. */
  | { ok: false; reason: 'address_limited'; retryAfter: number }
  | { ok: false; reason: 'incomplete' }
  | Locked
  /** No account with this email and this password: which of the two is wrong is not said. */
  | { ok: false; reason: 'wrong_password' };

export type SwitchOutcome = { ok: true; token: string } | Locked | { ok: false; reason: 'wrong_password' };

const locked = (retryAfter: number): Locked => ({ ok: false, reason: 'locked', retryAfter });

/**
 * Signs in with an email and a password, from a client address; the token of the new session on
 * success. The address is counted before anything else, an empty form included.
 */
export async function signIn(deps: SignInDeps, o: { email: string; password: string; address: string }): Promise<SignInOutcome> {
  const address = await countAddressAttempt(deps.limiter, o.address);
  if (!address.ok) return { ok: false, reason: 'address_limited', retryAfter: address.retryAfter };
  if (!o.email || !o.password) return { ok: false, reason: 'incomplete' };
  const attempt = await startAttempt(deps.limiter, o.email);
  if (attempt.refused) return locked(attempt.retryAfter);

  // Unknown emails are checked against a dummy hash: they answer as slowly as a wrong password.
  const candidates = await signInCandidates(deps.db, o.email);
  if (candidates.length === 0) await verifyPassword(null, o.password);
  let staff: StaffUserTable | undefined;
  for (const candidate of candidates) {
    if (await verifyPassword(candidate.password_hash, o.password)) {
      staff = candidate;
      break;
    }
  }
  const now = deps.clock();
  if (!staff) {
    const failure = await failedAttempt(deps.limiter, o.email, attempt.number);
    if (failure.newly) {
      for (const s of candidates) await recordAudit(deps.db, { merchantId: s.merchant_id, staffId: s.id, action: 'sign_in_locked', at: now });
    }
    if (failure.lockSeconds > 0) return locked(failure.lockSeconds);
    return { ok: false, reason: 'wrong_password' };
  }
  // A wrong password is counted against the email, not against one of its accounts (which one it was
  // meant for cannot be told). So a right password clears the count only where the email has one account:
  // the known password of a person's test shop must not buy more guesses at their live shop.
  if (candidates.length === 1) await clearFailures(deps.limiter, o.email);
  const signedIn = staff;
  const token = await deps.db.transaction().execute(async (trx) => {
    await recordAudit(trx, { merchantId: signedIn.merchant_id, staffId: signedIn.id, action: 'sign_in', at: now });
    return createStaffSession(trx, signedIn.id, now);
  });
  return { ok: true, token };
}

/** Ends the session, and says so in the audit log. */
export async function signOut(deps: Pick<Deps, 'db' | 'clock'>, session: StaffSession): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await deleteStaffSession(trx, session.tokenHash);
    await recordAudit(trx, { merchantId: session.staff.merchant_id, staffId: session.staff.id, action: 'sign_out', at: deps.clock() });
  });
}

/** The person's own account at that shop, if they have one there (same email, a password set). */
export async function switchTarget(deps: Pick<Deps, 'db'>, staff: StaffUserTable, merchantId: string): Promise<OtherAccount | undefined> {
  return (await otherAccounts(deps.db, staff.email, staff.merchant_id)).find((a) => a.merchant_id === merchantId);
}

/**
 * From the session's shop to the person's account at another (switchTarget), with that account's own
 * password, counted against the same email's lock-out as a sign-in: the session ends and the new one's
 * token is returned, both written with their audit lines in one transaction.
 */
export async function switchAccount(deps: SignInDeps, session: StaffSession, to: OtherAccount, password: string): Promise<SwitchOutcome> {
  const { staff } = session;
  const attempt = await startAttempt(deps.limiter, staff.email);
  if (attempt.refused) return locked(attempt.retryAfter);
  const target = (await signInCandidates(deps.db, staff.email)).find((u) => u.merchant_id === to.merchant_id);
  const now = deps.clock();
  if (!target || !(await verifyPassword(target.password_hash, password))) {
    const failure = await failedAttempt(deps.limiter, staff.email, attempt.number);
    if (failure.newly && target) await recordAudit(deps.db, { merchantId: target.merchant_id, staffId: target.id, action: 'sign_in_locked', at: now });
    return { ok: false, reason: 'wrong_password' };
  }
  // Not cleared: a switch is between two accounts of the email, and its count is the email's (see signIn).
  const token = await deps.db.transaction().execute(async (trx) => {
    await deleteStaffSession(trx, session.tokenHash);
    await recordAudit(trx, { merchantId: staff.merchant_id, staffId: staff.id, action: 'sign_out', details: { switched_to: to.merchant_id }, at: now });
    await recordAudit(trx, { merchantId: target.merchant_id, staffId: target.id, action: 'sign_in', details: { switched_from: staff.merchant_id }, at: now });
    return createStaffSession(trx, target.id, now);
  });
  return { ok: true, token };
}
