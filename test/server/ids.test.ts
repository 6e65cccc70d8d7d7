// Ids and secrets come from a pool of CSPRNG bytes: every byte handed out once, never a zeroed one.
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { newId, randomBytes, randomSecret, sha256 } from '../../server/ids.ts';

describe('random bytes for ids and secrets', () => {
  it('never hands out the same secret twice, across many refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomSecret(24));
    expect(seen.size).toBe(20_000);
    for (const s of [...seen].slice(0, 10)) expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('gives bytes spread evenly over all 256 values (none wiped before it was copied)', () => {
    const counts = new Array<number>(256).fill(0);
    let total = 0;
    // Odd sizes, so that requests straddle the pool's refills.
    for (let i = 0; i < 20_000; i++) {
      for (const byte of randomBytes(7 + (i % 13))) counts[byte]++;
      total += 7 + (i % 13);
    }
    const mean = total / 256;
    for (const c of counts) {
      expect(c).toBeGreaterThan(mean * 0.8);
      expect(c).toBeLessThan(mean * 1.2);
    }
  });

  it('returns copies: changing one changes nothing drawn after it', () => {
    const a = randomBytes(16);
    a.fill(0);
    const b = randomBytes(16);
    expect(b.equals(Buffer.alloc(16))).toBe(false);
    expect(randomBytes(4096).length).toBe(4096);
  });

  it('makes ids that sort in the order they were made', () => {
    const ids = Array.from({ length: 500 }, () => newId('ch'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(500);
  });
});

describe('sha256', () => {
  it('gives the standard digest, as keys and client secrets are stored by it', () => {
    // FIPS 180-2's own example, and a secret key's shape.
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const key = `sk_test_${'x'.repeat(40)}`;
    expect(sha256(key)).toBe(crypto.createHash('sha256').update(key).digest('hex'));
  });
});
