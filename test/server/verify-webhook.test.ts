import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from '../../sdk/verify-webhook.ts';
import { signatureHeader } from '../../server/jobs/webhook-signature.ts';

const secret = 'whsec_current';
const body = JSON.stringify({ id: 'evt_1', type: 'charge.succeeded', created: '2030-01-01T00:00:00.000Z', data: { charge: 'ch_1', amount: 1999 } });
const now = 1_900_000_000;
// Signed here independently of the vault's own signer, so that the two are checked against each other.
const sign = (s: string, t: number, b = body) => crypto.createHmac('sha256', s).update(`${t}.${b}`).digest('hex');

function reason(fn: () => unknown): WebhookVerificationReason | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).reason;
  }
  return undefined;
}

describe('verifyWebhook', () => {
  it('returns the event for a valid signature, from a string or a Buffer body', () => {
    const header = `t=${now},v1=${sign(secret, now)}`;
    expect(verifyWebhook(body, header, secret, { now })).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), header, secret, { now }).data).toEqual({ charge: 'ch_1', amount: 1999 });
  });

  it("accepts the vault's own header", () => {
    expect(verifyWebhook(body, signatureHeader([secret], now, body), secret, { now }).id).toBe('evt_1');
  });

  it('refuses a tampered body', () => {
    const header = `t=${now},v1=${sign(secret, now)}`;
    expect(reason(() => verifyWebhook(body.replace('1999', '1'), header, secret, { now }))).toBe('no_matching_signature');
    // One byte of whitespace is a different body: verify the raw body, never a re-serialised one.
    expect(reason(() => verifyWebhook(JSON.stringify(JSON.parse(body), null, 1), header, secret, { now }))).toBe('no_matching_signature');
  });

  it('says to pass the raw body when handed parsed JSON (a framework parsed it first)', () => {
    const header = `t=${now},v1=${sign(secret, now)}`;
    expect(reason(() => verifyWebhook(JSON.parse(body), header, secret, { now }))).toBe('invalid_body');
    expect(() => verifyWebhook(JSON.parse(body), header, secret, { now })).toThrow(/raw request body/);
    // A plain Uint8Array (a fetch handler's arrayBuffer, say) is the raw body too.
    expect(verifyWebhook(new TextEncoder().encode(body), header, secret, { now }).id).toBe('evt_1');
  });

  it('refuses a signature made with another secret', () => {
    expect(reason(() => verifyWebhook(body, `t=${now},v1=${sign('whsec_other', now)}`, secret, { now }))).toBe('no_matching_signature');
  });

  it('refuses a timestamp more than the tolerance from now, even with a valid signature', () => {
    const old = now - 301;
    expect(reason(() => verifyWebhook(body, `t=${old},v1=${sign(secret, old)}`, secret, { now }))).toBe('timestamp_out_of_tolerance');
    const future = now + 301;
    expect(reason(() => verifyWebhook(body, `t=${future},v1=${sign(secret, future)}`, secret, { now }))).toBe('timestamp_out_of_tolerance');
    expect(verifyWebhook(body, `t=${now - 300},v1=${sign(secret, now - 300)}`, secret, { now }).id).toBe('evt_1');
    expect(verifyWebhook(body, `t=${old},v1=${sign(secret, old)}`, secret, { now, toleranceSeconds: 600 }).id).toBe('evt_1');
  });

  it('uses the system clock by default', () => {
    const t = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(body, `t=${t},v1=${sign(secret, t)}`, secret).id).toBe('evt_1');
    expect(reason(() => verifyWebhook(body, `t=${now},v1=${sign(secret, now)}`, secret))).toBe('timestamp_out_of_tolerance');
  });

  it('accepts any of several v1 signatures, and any of several secrets (a rotation)', () => {
    const header = `t=${now},v1=${sign('whsec_new', now)},v1=${sign('whsec_old', now)}`;
    expect(verifyWebhook(body, header, 'whsec_old', { now }).id).toBe('evt_1');
    expect(verifyWebhook(body, header, 'whsec_new', { now }).id).toBe('evt_1');
    expect(verifyWebhook(body, `t=${now},v1=${sign('whsec_old', now)}`, ['whsec_new', 'whsec_old'], { now }).id).toBe('evt_1');
    expect(reason(() => verifyWebhook(body, header, ['whsec_x', 'whsec_y'], { now }))).toBe('no_matching_signature');
    // A scheme it does not know is skipped, not an error.
    expect(verifyWebhook(body, `t=${now},v0=abc,v1=${sign(secret, now)}`, secret, { now }).id).toBe('evt_1');
  });

  it('names a missing or malformed header', () => {
    expect(reason(() => verifyWebhook(body, undefined, secret, { now }))).toBe('missing_header');
    expect(reason(() => verifyWebhook(body, null, secret, { now }))).toBe('missing_header');
    expect(reason(() => verifyWebhook(body, '', secret, { now }))).toBe('missing_header');
    for (const header of [
      'garbage',
      `v1=${sign(secret, now)}`,
      `t=soon,v1=${sign(secret, now)}`,
      `t=${now}`,
      `t=${now},v1=nothex`,
      `t=${now},v1=${sign(secret, now).slice(2)}`,
    ]) {
      expect(
        reason(() => verifyWebhook(body, header, secret, { now })),
        header,
      ).toBe('malformed_header');
    }
  });

  it('refuses to verify without a secret', () => {
    expect(() => verifyWebhook(body, `t=${now},v1=${sign(secret, now)}`, [], { now })).toThrow(TypeError);
  });

  it('says why in the error message', () => {
    expect(() => verifyWebhook(body, `t=${now},v1=${sign('whsec_other', now)}`, secret, { now })).toThrow(/No v1 signature matches/);
    expect(() => verifyWebhook(body, undefined, secret)).toThrow(/No Checkout-Signature header/);
  });
});
