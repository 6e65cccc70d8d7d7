// An idempotent answer that shows a secret the vault otherwise keeps only as a hash (a new session's
// client secret) is stored sealed: AES-256-GCM under a key derived from the vault's own secret (a
// fingerprint key, sealed under the key ring, never in the database in the clear) and the request's
// Idempotency-Key. Whoever reads the database opens nothing; the retry that brings the same key gets
// the same answer. The sealed text names the fingerprint key's version (fingerprint-keys.ts), so an
// answer sealed before a rotation still opens after it.
import crypto from 'node:crypto';
import { type FingerprintKeys, versionOf } from '../keys/fingerprint-keys.ts';

const PREFIX = 'sealed:v1:';

function keyFor(vaultSecret: Buffer, merchantId: string, idempotencyKey: string): Buffer {
  return crypto.createHmac('sha256', vaultSecret).update(`idempotent answer\n${merchantId}\n${idempotencyKey}`).digest();
}

export function sealAnswer(keys: FingerprintKeys, merchantId: string, idempotencyKey: string, body: string): string {
  return (
    PREFIX +
    keys.make((vaultSecret) => {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', keyFor(vaultSecret, merchantId, idempotencyKey), iv);
      const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    })
  );
}

/** The tagged part of a sealed answer (which names its key's version); '' for an answer stored as it is. */
export const sealedTag = (stored: string | null): string => (stored?.startsWith(PREFIX) ? stored.slice(PREFIX.length) : '');

/** The stored answer as it was sent: opened when sealed, as it is otherwise. */
export function openAnswer(keys: FingerprintKeys, merchantId: string, idempotencyKey: string, stored: string): string {
  if (!stored.startsWith(PREFIX)) return stored;
  const { version, rest } = versionOf(stored.slice(PREFIX.length));
  const vaultSecret = keys.get(version);
  // Never deleted while an answer refers to it (fingerprint-rotation.ts): a wrong key ring, then.
  if (!vaultSecret) throw new Error(`the fingerprint key version ${version} that sealed this answer is not held`);
  const bytes = Buffer.from(rest, 'base64url');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyFor(vaultSecret, merchantId, idempotencyKey), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
