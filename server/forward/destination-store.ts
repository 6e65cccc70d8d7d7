// The endpoints a merchant may forward cards to. Only the operator registers them (`npm run forward`),
// never the merchant: a leaked secret key then cannot send a card anywhere but to the merchant's own
// provider. Their headers carry the provider's credentials, so they are sealed under the key ring
// (AES-256-GCM, bound to the merchant and the destination) the moment they arrive; what is listed or
// printed back is their names only.
import crypto from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { ForwardDestinationTable } from '../db/schema.ts';
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import type { KeyRing } from '../keys/key-ring.ts';

/** A destination as the operator sees it: never a header value. */
export interface DestinationView {
  id: string;
  merchant: string;
  name: string;
  url: string;
  headers: string[];
  /** The answer's fields a session forward that carried the CVC may show; empty: none. */
  cvc_answer_fields: string[];
  created_at: string;
}

export class DestinationRefused extends Error {}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** A field of a JSON answer: keys of letters, digits, `_` and `-`, joined by dots (`CARD.ID`). */
const ANSWER_FIELD = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/;
const MAX_ANSWER_FIELDS = 20;
/** Set by the vault itself for every forward: a registered value would be overwritten or break the request. */
const MANAGED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);

/** What a destination's sealed headers are bound to: the merchant and the destination. */
export const destinationAad = (merchantId: string, destinationId: string) => `forward|${merchantId}|${destinationId}`;
const aad = destinationAad;

/** Refuses what a destination may not be; `live`: the merchant takes real cards, which travel over https only. */
export function checkDestinationUrl(url: string, live: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DestinationRefused('--url must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new DestinationRefused('--url must be an http(s) URL');
  if (live && parsed.protocol !== 'https:')
    throw new DestinationRefused('--url must be https: this merchant is in live mode, and real cards never travel in clear text');
  // Credentials go in a sealed --header; in the URL they would be printed and stored in clear.
  if (parsed.username || parsed.password) throw new DestinationRefused('--url must not carry credentials (user:password@); register them with --header');
  if (parsed.hash) throw new DestinationRefused('--url must not have a #fragment');
  return parsed;
}

/** `Name: value` pairs from the command line, checked; a name given twice is refused. */
export function parseHeaderArgs(args: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const name = arg.slice(0, colon).trim();
    const value = arg.slice(colon + 1).trim();
    // The value is never quoted back: it is a credential.
    if (colon < 1 || !HEADER_NAME.test(name)) throw new DestinationRefused('--header must be NAME:VALUE with an HTTP header name');
    if (MANAGED_HEADERS.has(name.toLowerCase())) throw new DestinationRefused(`--header ${name}: the vault sets this header itself`);
    if (/[\r\n\0]/.test(value)) throw new DestinationRefused(`--header ${name}: the value must not contain line breaks or NUL`);
    if (Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase())) throw new DestinationRefused(`--header ${name} is given twice`);
    headers[name] = value;
  }
  return headers;
}

/**
 * `--cvc-answer` paths from the command line, checked. Name only fields the provider writes itself (an
 * id, a status, a masked number): a field that echoes what the merchant sent would show the merchant
 * whatever it made the destination reflect, the CVC included.
 */
export function parseAnswerFields(args: string[]): string[] {
  if (args.length > MAX_ANSWER_FIELDS) throw new DestinationRefused(`--cvc-answer: at most ${MAX_ANSWER_FIELDS} fields`);
  for (const field of args) {
    if (!ANSWER_FIELD.test(field)) throw new DestinationRefused('--cvc-answer must be a dot path of a JSON answer, such as CARD.ID (letters, digits, _ and -)');
  }
  return [...new Set(args)];
}

export const answerFieldsOf = (row: ForwardDestinationTable): string[] => (row.cvc_answer_fields ? JSON.parse(row.cvc_answer_fields) : []);

export function toDestinationView(row: ForwardDestinationTable): DestinationView {
  return {
    id: row.id,
    merchant: row.merchant_id,
    name: row.name,
    url: row.url,
    headers: JSON.parse(row.header_names),
    cvc_answer_fields: answerFieldsOf(row),
    created_at: row.created_at,
  };
}

export async function addDestination(
  db: Db,
  ring: KeyRing,
  input: { merchantId: string; live: boolean; name: string; url: string; headers: Record<string, string>; cvcAnswerFields?: string[]; now: Date },
): Promise<DestinationView> {
  if (!NAME.test(input.name)) throw new DestinationRefused('--name must be 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit');
  const url = checkDestinationUrl(input.url, input.live).toString();
  const taken = await findDestination(db, input.merchantId, input.name);
  if (taken) throw new DestinationRefused(`this merchant already has a destination named ${input.name}; remove it first`);
  const id = `fwd_${crypto.randomBytes(12).toString('base64url')}`;
  const names = Object.keys(input.headers);
  const row: ForwardDestinationTable = {
    id,
    merchant_id: input.merchantId,
    name: input.name,
    url,
    header_names: JSON.stringify(names),
    headers_sealed: names.length > 0 ? JSON.stringify(wrapKey(ring, Buffer.from(JSON.stringify(input.headers)), aad(input.merchantId, id))) : null,
    cvc_answer_fields: input.cvcAnswerFields?.length ? JSON.stringify(parseAnswerFields(input.cvcAnswerFields)) : null,
    created_at: input.now.toISOString(),
  };
  await db.insertInto('forward_destinations').values(row).execute();
  return toDestinationView(row);
}

export async function findDestination(db: Db, merchantId: string, name: string): Promise<ForwardDestinationTable | undefined> {
  return db.selectFrom('forward_destinations').selectAll().where('merchant_id', '=', merchantId).where('name', '=', name).executeTakeFirst();
}

export async function listDestinations(db: Db, merchantId: string): Promise<DestinationView[]> {
  const rows = await db.selectFrom('forward_destinations').selectAll().where('merchant_id', '=', merchantId).orderBy('name').execute();
  return rows.map(toDestinationView);
}

/** Answers whether there was one to remove. */
export async function removeDestination(db: Db, merchantId: string, name: string): Promise<boolean> {
  const gone = await db.deleteFrom('forward_destinations').where('merchant_id', '=', merchantId).where('name', '=', name).executeTakeFirst();
  return Number(gone.numDeletedRows) > 0;
}

/** The registered headers, opened for the one request that carries them. KeyUnavailableError when the ring lost their key. */
export function openDestinationHeaders(ring: KeyRing, row: ForwardDestinationTable): Record<string, string> {
  if (!row.headers_sealed) return {};
  const sealed = JSON.parse(row.headers_sealed) as { key_version: string; wrapped: string };
  return JSON.parse(unwrapKey(ring, sealed.wrapped, sealed.key_version, aad(row.merchant_id, row.id)).toString('utf8')) as Record<string, string>;
}
