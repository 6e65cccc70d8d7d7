import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCard, openCardMeta, rewrapCard, sealCard, VaultDecryptError } from '../../server/keys/envelope.ts';
import { loadKeyRing, parseKeyRing, withNewKey, formatKeyRing } from '../../server/keys/key-ring.ts';
import { fingerprintOf } from '../../server/keys/fingerprint-keys.ts';

const key = () => crypto.randomBytes(32).toString('base64');
const ring = parseKeyRing(`k1:${key()}`);
const binding = { token: 'card_A', groupId: 'grp_1' };
const secret = { number: '4242424242424242', exp_month: 12, exp_year: 2030, holder: 'Ada Lovelace' };

describe('envelope encryption of a card', () => {
  it('gives back exactly what was sealed, for any card', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{12,19}$/),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2024, max: 2060 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        (number, exp_month, exp_year, holder) => {
          const sealed = sealCard(ring, binding, { number, exp_month, exp_year, holder });
          expect(openCard(ring, binding, sealed)).toEqual({ number, exp_month, exp_year, holder });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never stores the number or the expiry in anything it writes', () => {
    const sealed = sealCard(ring, binding, secret);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(secret.number);
    expect(stored).not.toContain('2030');
    for (const v of Object.values(sealed)) expect(Buffer.from(v, 'base64').includes(Buffer.from(secret.number))).toBe(false);
  });

  it('uses a fresh data key and nonce per card: the same number seals differently twice', () => {
    const a = sealCard(ring, binding, secret);
    const b = sealCard(ring, binding, secret);
    expect(a.pan_ct).not.toBe(b.pan_ct);
    expect(a.wrapped_key).not.toBe(b.wrapped_key);
  });

  it('fails closed when a ciphertext is moved to another card row', () => {
    const a = sealCard(ring, binding, secret);
    const b = sealCard(ring, { token: 'card_B', groupId: 'grp_1' }, { ...secret, number: '5555555555554444' });
    expect(() => openCard(ring, { token: 'card_B', groupId: 'grp_1' }, { ...b, pan_ct: a.pan_ct })).toThrow(VaultDecryptError);
    expect(() => openCard(ring, { token: 'card_B', groupId: 'grp_1' }, a)).toThrow(VaultDecryptError);
  });

  it('fails closed when a card is read as another merchant group', () => {
    const a = sealCard(ring, binding, secret);
    expect(() => openCard(ring, { ...binding, groupId: 'grp_2' }, a)).toThrow(VaultDecryptError);
  });

  it('fails closed on any flipped bit', () => {
    const a = sealCard(ring, binding, secret);
    fc.assert(
      fc.property(fc.constantFrom('pan_ct', 'meta_ct', 'wrapped_key'), fc.nat(), fc.integer({ min: 0, max: 7 }), (field, at, bit) => {
        const raw = Buffer.from(a[field as 'pan_ct'], 'base64');
        raw[at % raw.length] ^= 1 << bit;
        expect(() => openCard(ring, binding, { ...a, [field]: raw.toString('base64') })).toThrow(VaultDecryptError);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a ciphertext whose authentication tag was cut short', () => {
    const a = sealCard(ring, binding, secret);
    const raw = Buffer.from(a.pan_ct, 'base64');
    // iv (12) + a 4-byte tag only: GCM would verify a truncated tag if the length were not fixed.
    const short = Buffer.concat([raw.subarray(0, 12), raw.subarray(12, 16), raw.subarray(28)]).toString('base64');
    expect(() => openCard(ring, binding, { ...a, pan_ct: short })).toThrow(VaultDecryptError);
    expect(() => openCard(ring, binding, { ...a, pan_ct: raw.subarray(0, 20).toString('base64') })).toThrow(VaultDecryptError);
  });

  it('fails closed when the wrapped key claims another key version', () => {
    const two = withNewKey(ring);
    const a = sealCard(two, binding, secret);
    expect(() => openCard(two, binding, { ...a, key_version: 'k1' })).toThrow(VaultDecryptError);
  });

  it('re-wraps a data key under a new key without touching the card ciphertexts', () => {
    const a = sealCard(ring, binding, secret);
    const two = withNewKey(ring);
    const next = rewrapCard(two, binding, a);
    expect(next.key_version).toBe(two.current.id);
    const onlyNew = parseKeyRing(formatKeyRing(two).split(',').slice(1).join(','));
    expect(openCard(onlyNew, binding, { ...a, ...next })).toEqual(secret);
    expect(() => openCard(onlyNew, binding, a)).toThrow(VaultDecryptError);
  });

  it('reads expiry and holder without touching the number', () => {
    const a = sealCard(ring, binding, secret);
    expect(openCardMeta(ring, binding, { ...a, pan_ct: 'garbage' })).toEqual({ exp_month: 12, exp_year: 2030, holder: 'Ada Lovelace' });
  });
});

describe('the key ring', () => {
  it('takes the last key of VAULT_KEYS as the one that encrypts', () => {
    const r = parseKeyRing(`old:${key()},new:${key()}`);
    expect(r.current.id).toBe('new');
    expect(r.ids).toEqual(['old', 'new']);
  });

  it('names the bad entry of a malformed VAULT_KEYS', () => {
    expect(() => parseKeyRing(`k1:${key()},k2:c2hvcnQ=`)).toThrow(/entry 2 \(k2\).*32 bytes/);
    expect(() => parseKeyRing('nocolon')).toThrow(/entry 1/);
    expect(() => parseKeyRing(`a:${key()},a:${key()}`)).toThrow(/twice/);
  });

  it('generates KEY_FILE readable by its owner only, once, and says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    const keyFile = path.join(dir, 'vault.key');
    const told: string[] = [];
    const first = loadKeyRing({ keyFile, onGenerated: (f) => told.push(f) });
    const again = loadKeyRing({ keyFile, onGenerated: (f) => told.push(f) });
    expect(told).toEqual([keyFile]);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(again.current.key.equals(first.current.key)).toBe(true);
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(dir)).toEqual(['vault.key']);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('the card fingerprint', () => {
  const fpKey = crypto.randomBytes(32);
  it('finds the same number again inside a merchant group, and only there', () => {
    expect(fingerprintOf(fpKey, 'grp_1', secret.number)).toBe(fingerprintOf(fpKey, 'grp_1', secret.number));
    expect(fingerprintOf(fpKey, 'grp_1', secret.number)).not.toBe(fingerprintOf(fpKey, 'grp_2', secret.number));
    expect(fingerprintOf(fpKey, 'grp_1', secret.number)).not.toBe(fingerprintOf(fpKey, 'grp_1', '5555555555554444'));
  });

  it('is keyed: without the key a number cannot be checked against a fingerprint', () => {
    expect(fingerprintOf(crypto.randomBytes(32), 'grp_1', secret.number)).not.toBe(fingerprintOf(fpKey, 'grp_1', secret.number));
    expect(fingerprintOf(fpKey, 'grp_1', secret.number)).not.toContain('4242');
  });
});
