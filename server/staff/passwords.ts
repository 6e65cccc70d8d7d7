// Staff passwords: Argon2id (the library's defaults are OWASP's: 19 MiB, 2 passes, 1 lane), the rules a
// new password must meet, and a verification that costs the same whether or not the account exists.
import { hash, verify } from '@node-rs/argon2';

export const PASSWORD_MIN_LENGTH = 12;
/** Longer passwords only cost hashing time: a bound keeps one request from buying seconds of CPU. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused, in words for the person typing it; undefined when it is fine. */
export function passwordProblem(password: string, email: string): string | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'The password must not be your email address.';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when no account has the email, so that an unknown address takes as long as a wrong password.
let dummy: Promise<string> | undefined;

/** Whether the password matches the hash; with no hash, spends the same time on a dummy and says no. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (!passwordHash) {
    dummy ??= hash('not a password: equal timing for unknown accounts');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
