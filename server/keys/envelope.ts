// Envelope encryption of a card: AES-256-GCM under the card's own data key, which the key ring wraps.
// Every ciphertext is bound to its row (token, group, key version, field), so a swapped or flipped
// ciphertext fails closed instead of decrypting into another customer's card.
import crypto from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

export interface CardBinding {
  token: string;
  groupId: string;
}

export interface CardSecret {
  number: string;
  exp_month: number;
  exp_year: number;
  holder?: string;
}

export interface SealedCard {
  key_version: string;
  wrapped_key: string;
  pan_ct: string;
  meta_ct: string;
}

export class VaultDecryptError extends Error {
  constructor(message = 'stored card data could not be decrypted') {
    super(message);
  }
}

/**
 * The data was wrapped by a key version that is not in the ring (it left VAULT_KEYS or the key file
 * before `npm run keys -- rotate` moved everything off it): nothing is wrong with the data itself.
 */
export class KeyUnavailableError extends VaultDecryptError {
  constructor(readonly keyVersion: string) {
    super(`key version ${keyVersion} is not in the key ring`);
  }
}

const TAG = 16;

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  try {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < 12 + TAG) throw new Error('too short');
    // A fixed 16-byte tag: GCM would otherwise accept a truncated one.
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: TAG });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  } catch {
    throw new VaultDecryptError();
  }
}

const keyAad = (b: CardBinding, version: string) => `dek|${b.token}|${b.groupId}|${version}`;
const fieldAad = (b: CardBinding, field: 'pan' | 'meta') => `${field}|${b.token}|${b.groupId}`;

/** Wraps a secret of the vault's own (a data key) under the current key of the ring, or the version named. */
// Each function reads ring.current once: a file-based ring can move to a new key between two reads.
export function wrapKey(ring: KeyRing, dataKey: Buffer, aad: string, version?: string): { key_version: string; wrapped: string } {
  const { id, key } = version === undefined ? ring.current : { id: version, key: ring.get(version) };
  if (!key) throw new KeyUnavailableError(id);
  return { key_version: id, wrapped: seal(key, dataKey, `${aad}|${id}`) };
}

export function unwrapKey(ring: KeyRing, wrapped: string, version: string, aad: string): Buffer {
  const kek = ring.get(version);
  if (!kek) throw new KeyUnavailableError(version);
  return open(kek, wrapped, `${aad}|${version}`);
}

function dataKey(ring: KeyRing, binding: CardBinding, sealed: Pick<SealedCard, 'key_version' | 'wrapped_key'>): Buffer {
  const kek = ring.get(sealed.key_version);
  if (!kek) throw new KeyUnavailableError(sealed.key_version);
  return open(kek, sealed.wrapped_key, keyAad(binding, sealed.key_version));
}

function metaBytes(secret: Omit<CardSecret, 'number'>): Buffer {
  return Buffer.from(JSON.stringify({ m: secret.exp_month, y: secret.exp_year, h: secret.holder ?? null }));
}

export function sealCard(ring: KeyRing, binding: CardBinding, secret: CardSecret): SealedCard {
  const dek = crypto.randomBytes(32);
  const { id, key } = ring.current;
  return {
    key_version: id,
    wrapped_key: seal(key, dek, keyAad(binding, id)),
    pan_ct: seal(dek, Buffer.from(secret.number), fieldAad(binding, 'pan')),
    meta_ct: seal(dek, metaBytes(secret), fieldAad(binding, 'meta')),
  };
}

/** Re-encrypts expiry and holder (a re-issued card) under the card's existing data key. */
export function resealMeta(ring: KeyRing, binding: CardBinding, sealed: SealedCard, meta: Omit<CardSecret, 'number'>): string {
  return seal(dataKey(ring, binding, sealed), metaBytes(meta), fieldAad(binding, 'meta'));
}

export function openCardMeta(ring: KeyRing, binding: CardBinding, sealed: SealedCard): Omit<CardSecret, 'number'> {
  return metaWith(dataKey(ring, binding, sealed), binding, sealed);
}

export function openCard(ring: KeyRing, binding: CardBinding, sealed: SealedCard): CardSecret {
  // The data key is unwrapped once for both ciphertexts.
  const dek = dataKey(ring, binding, sealed);
  const number = open(dek, sealed.pan_ct, fieldAad(binding, 'pan')).toString();
  return { number, ...metaWith(dek, binding, sealed) };
}

function metaWith(dek: Buffer, binding: CardBinding, sealed: Pick<SealedCard, 'meta_ct'>): Omit<CardSecret, 'number'> {
  const meta = JSON.parse(open(dek, sealed.meta_ct, fieldAad(binding, 'meta')).toString());
  return { exp_month: meta.m, exp_year: meta.y, holder: meta.h ?? undefined };
}

/** Re-wraps the card's data key under the ring's current key; the card's ciphertexts stay as they are. */
export function rewrapCard(ring: KeyRing, binding: CardBinding, sealed: Pick<SealedCard, 'key_version' | 'wrapped_key'>) {
  const dek = dataKey(ring, binding, sealed);
  const { id, key } = ring.current;
  return { key_version: id, wrapped_key: seal(key, dek, keyAad(binding, id)) };
}
