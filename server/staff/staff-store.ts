// Staff users of a merchant: added by the operator with a one-time link (its token stored only as a
// SHA-256 hash, valid 24 hours, replaced by a new link), who then set their own password through it.
import type { OtherAccount } from '../../protocol/api.ts';
import type { Db } from '../db/database.ts';
import type { StaffRole, StaffUserTable } from '../db/schema.ts';
import { newId, randomBytes, sha256 } from '../ids.ts';
import { recordAudit } from './audit.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'viewer'];
export const LINK_VALIDITY_MS = 24 * 3_600_000;
/** Where the link leads; its token rides in the fragment, which browsers send to no server and put in no Referer. */
export const SET_PASSWORD_PATH = '/dashboard/set-password';

// Enough to catch a typo such as a missing @; the person proves the address works by using the link.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normalEmail = (email: string) => email.trim().toLowerCase();

export interface IssuedLink {
  staff: StaffUserTable;
  /** Shown once: `${PUBLIC_URL}/dashboard/set-password#token=…`. */
  url: string;
  expiresAt: Date;
  /** True when the email was already a staff user of the merchant: their previous link no longer works. */
  reissued: boolean;
}

/**
 * Adds a staff user to a merchant, or for an email it already has, sets the role and issues a new link
 * (the old one stops working). Throws a message for the operator on bad input.
 */
export async function addStaffUser(db: Db, o: { merchantId: string; email: string; role: string; publicUrl: string; now: Date }): Promise<IssuedLink> {
  const email = normalEmail(o.email);
  if (!EMAIL.test(email) || email.length > 254) throw new Error(`--email: not an email address: ${o.email}`);
  if (!STAFF_ROLES.includes(o.role as StaffRole)) throw new Error(`--role: must be admin or viewer, not "${o.role}"`);
  const role = o.role as StaffRole;
  const merchant = await db.selectFrom('merchants').select('id').where('id', '=', o.merchantId).executeTakeFirst();
  if (!merchant) throw new Error(`--merchant: no such merchant: ${o.merchantId}`);
  // 256 bits from the CSPRNG; only its hash is stored.
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(o.now.getTime() + LINK_VALIDITY_MS);
  const link = { link_token_hash: sha256(token), link_expires_at: expiresAt.toISOString() };
  const { staff, reissued } = await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('staff_users').selectAll().where('merchant_id', '=', o.merchantId).where('email', '=', email).executeTakeFirst();
    if (existing) {
      await trx
        .updateTable('staff_users')
        .set({ ...link, role })
        .where('id', '=', existing.id)
        .execute();
      return { staff: { ...existing, ...link, role }, reissued: true };
    }
    const row: StaffUserTable = {
      id: newId('stf'),
      merchant_id: o.merchantId,
      email,
      role,
      password_hash: null,
      ...link,
      created_at: o.now.toISOString(),
    };
    await trx.insertInto('staff_users').values(row).execute();
    return { staff: row, reissued: false };
  });
  return { staff, url: `${o.publicUrl.replace(/\/$/, '')}${SET_PASSWORD_PATH}#token=${token}`, expiresAt, reissued };
}

/** The staff user a set-password token names, while it is unused and unexpired. */
export async function staffForLink(db: Db, token: string, now: Date): Promise<StaffUserTable | undefined> {
  if (!token) return undefined;
  return db
    .selectFrom('staff_users')
    .selectAll()
    .where('link_token_hash', '=', sha256(token))
    .where('link_expires_at', '>', now.toISOString())
    .executeTakeFirst();
}

export type SetPasswordResult =
  | { ok: true; staff: StaffUserTable }
  | { ok: false; reason: 'link_invalid' }
  | { ok: false; reason: 'password'; message: string };

/**
 * Sets the password through a one-time link and spends the link; signs the person out everywhere
 * (someone holding an old session loses it with the old password).
 */
export async function setPasswordWithLink(db: Db, token: string, password: string, now: Date): Promise<SetPasswordResult> {
  const staff = await staffForLink(db, token, now);
  if (!staff) return { ok: false, reason: 'link_invalid' };
  const problem = passwordProblem(password, staff.email);
  if (problem) return { ok: false, reason: 'password', message: problem };
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    // Spent in the same statement that checks it: of two concurrent uses, one wins.
    const spent = await trx
      .updateTable('staff_users')
      .set({ password_hash: passwordHash, link_token_hash: null, link_expires_at: null })
      .where('id', '=', staff.id)
      .where('link_token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) return { ok: false, reason: 'link_invalid' } as const;
    await trx.deleteFrom('staff_sessions').where('staff_id', '=', staff.id).execute();
    await recordAudit(trx, { merchantId: staff.merchant_id, staffId: staff.id, action: 'password_set', at: now });
    return { ok: true, staff: { ...staff, password_hash: passwordHash, link_token_hash: null, link_expires_at: null } } as const;
  });
}

/** Every staff user with this email (one per merchant at most), those with a password. */
export function signInCandidates(db: Db, email: string): Promise<StaffUserTable[]> {
  return db.selectFrom('staff_users').selectAll().where('email', '=', normalEmail(email)).where('password_hash', 'is not', null).orderBy('id').execute();
}

/** The person's accounts at other merchants (their test and live shops, sister shops): same email, a password set. */
export async function otherAccounts(db: Db, email: string, exceptMerchantId: string): Promise<OtherAccount[]> {
  const rows = await db
    .selectFrom('staff_users as u')
    .innerJoin('merchants as m', 'm.id', 'u.merchant_id')
    .select(['m.id', 'm.name', 'm.livemode'])
    .where('u.email', '=', normalEmail(email))
    .where('u.password_hash', 'is not', null)
    .where('u.merchant_id', '!=', exceptMerchantId)
    .orderBy('m.livemode', 'desc')
    .orderBy('m.name')
    .execute();
  return rows.map((r) => ({ merchant_id: r.id, merchant_name: r.name, livemode: r.livemode === 1 }));
}
