// For the merchant's server: checks a webhook's Checkout-Signature header against the raw body and
// returns the event. Node's crypto only, no other dependency: copy this file or import it.
import crypto from 'node:crypto';

export interface WebhookEvent<T = Record<string, unknown>> {
  /** `evt_…`: delivery is at least once, so deduplicate on this. */
  id: string;
  type: string;
  /** ISO 8601, when the event happened. */
  created: string;
  data: T;
}

export type WebhookVerificationReason = 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'no_matching_signature' | 'invalid_body';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyOptions {
  /** How far the header's timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now in unix seconds (default the system clock). */
  now?: number;
}

/**
 * Verifies `header` (the `Checkout-Signature` value: `t=UNIX_SECONDS,v1=HEX[,v1=HEX…]`) over the body
 * exactly as received and returns the parsed event; throws a WebhookVerificationError otherwise.
 * `secret` may be several (during a rotation); any `v1=` signed by any of them is accepted.
 */
export function verifyWebhook<T = Record<string, unknown>>(
  rawBody: string | Buffer | Uint8Array,
  header: string | null | undefined,
  secret: string | string[],
  options: VerifyOptions = {},
): WebhookEvent<T> {
  // A framework that parsed the JSON hands over an object: its bytes are gone, and so is the signature's subject.
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new WebhookVerificationError(
      'invalid_body',
      'Pass the raw request body (a string or Buffer), not parsed JSON: e.g. express.raw({ type: "application/json" })',
    );
  }
  if (!header) throw new WebhookVerificationError('missing_header', 'No Checkout-Signature header');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0) throw new WebhookVerificationError('malformed_header', 'Checkout-Signature is not a list of key=value');
    if (key === 't') timestamp = value;
    // Other schemes (v0, a future v2) are skipped, so that a receiver keeps working while they are added.
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('malformed_header', 'Checkout-Signature has no valid t= timestamp');
  if (signatures.length === 0) throw new WebhookVerificationError('malformed_header', 'Checkout-Signature has no valid v1= signature');

  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  // Not a number (Number(process.env.X) of an unset variable): a comparison with NaN is never true, and
  // every old delivery would pass. Refused as the caller's mistake, before anything is believed.
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('verifyWebhook: toleranceSeconds must be a finite number of seconds, 0 or more');
  if (!Number.isFinite(now)) throw new TypeError('verifyWebhook: now must be a finite Unix time in seconds');
  // Checked before the signatures: a replayed old delivery is refused even with a valid signature.
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', `The signature's timestamp is more than ${tolerance} seconds from now`);
  }

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  const secrets = (Array.isArray(secret) ? secret : [secret]).filter(Boolean);
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs the webhook signing secret');
  let matched = false;
  for (const s of secrets) {
    const expected = crypto.createHmac('sha256', s).update(`${timestamp}.`).update(body).digest();
    // Every candidate is compared, in constant time, so the timing says nothing about which was close.
    for (const sig of signatures) matched = crypto.timingSafeEqual(expected, sig) || matched;
  }
  if (!matched) throw new WebhookVerificationError('no_matching_signature', 'No v1 signature matches the body with the given secret');

  let event: WebhookEvent<T>;
  try {
    event = JSON.parse(body.toString('utf8')) as WebhookEvent<T>;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The body is not JSON');
  }
  if (!event || typeof event.id !== 'string' || typeof event.type !== 'string') throw new WebhookVerificationError('invalid_body', 'The body is not an event');
  return event;
}
