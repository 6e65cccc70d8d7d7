// A forward's request template: checked before anything is sent (a path and headers without
// placeholders or card numbers, a JSON or form-encoded body whose {{card.…}} placeholders stand where
// a value goes), then filled with one card's values. A JSON body gets each value escaped as JSON inside
// the string it stands in; a form body gets it URL-encoded. Filling works on the text, so the rest of
// the merchant's body (number formats, key order) reaches the provider exactly as it was written.
import type { z } from 'zod';
import type { ForwardRequest } from '../../protocol/api.ts';
import { containsCardNumber, passesLuhn } from '../../protocol/cards.ts';
import { ApiError, echoable } from '../errors.ts';

type Request = z.output<typeof ForwardRequest>;

export const PLACEHOLDERS = ['number', 'exp_month', 'exp_year', 'exp_mm_yyyy', 'exp_yymm', 'holder', 'cvc'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** `{{card.name}}`, spaces allowed inside the braces; an unknown name is refused rather than sent as it is. */
const PLACEHOLDER = /\{\{\s*card\.([A-Za-z0-9_]*)\s*\}\}/g;

/** Headers the vault sets for every forward (and proxy ones a provider must never be told by a merchant). */
const MANAGED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface CardValues {
  number: string;
  exp_month: number;
  exp_year: number;
  holder?: string;
  /** Only while the customer's confirmation holds it in memory. */
  cvc?: string;
}

/** A request that passed every check, ready to be filled with a card. */
export interface CheckedTemplate {
  method: Request['method'];
  path?: string;
  /** The merchant's own headers, the content type included. */
  headers: Record<string, string>;
  kind: 'json' | 'form';
  body: string;
  usesCvc: boolean;
}

const invalid = (message: string, param: string) => new ApiError('parameter_invalid', message, { param });
// The caller's text a message quotes (a header name, a placeholder's name, a media type) goes through
// echoable (errors.ts): the error is stored with an Idempotency-Key, so an echo would be kept too.

/**
 * Checks a request template. `registeredHeaders`: the destination's own header names, which a merchant
 * may not replace (they carry the provider's credentials); `registeredUrl`: its URL, whose query
 * parameters the merchant's query and body may not repeat, for the same reason. `allowCvc`: a session's forward only.
 */
export function checkTemplate(
  request: Request,
  options: { allowCvc: boolean; param: string; registeredHeaders: string[]; registeredUrl?: string },
): CheckedTemplate {
  const p = options.param;
  if (request.path !== undefined) checkPath(request.path, `${p}.path`);
  if (request.path !== undefined && options.registeredUrl !== undefined) checkQuery(request.path, options.registeredUrl, `${p}.path`);

  const headers: Record<string, string> = {};
  // `_` counted as `-`: CGI and PHP read X_Api_Key and X-Api-Key as one header (HTTP_X_API_KEY), the merchant's possibly winning.
  const headerKey = (h: string) => h.toLowerCase().replace(/_/g, '-');
  const registered = new Set(options.registeredHeaders.map(headerKey));
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    // A name is sent, and a session keeps its template, like a value: neither may hold a card number.
    if (containsCardNumber(name, passesLuhn)) throw invalid(`${p}.headers must not contain a card number`, `${p}.headers`);
    if (MANAGED_HEADERS.has(lower)) throw invalid(`${p}.headers: the vault sets ${name} itself`, `${p}.headers`);
    if (registered.has(headerKey(name)))
      throw invalid(`${p}.headers: ${echoable(name)} is registered for this destination by the vault's operator and cannot be replaced`, `${p}.headers`);
    if (Object.keys(headers).some((h) => h.toLowerCase() === lower)) throw invalid(`${p}.headers: ${echoable(name)} is given twice`, `${p}.headers`);
    // Headers are logged by proxies and providers alike: card data goes in the body only.
    if (value.includes('{{')) throw invalid(`${p}.headers: placeholders are filled in the body only`, `${p}.headers`);
    if (containsCardNumber(value, passesLuhn)) throw invalid(`${p}.headers must not contain a card number`, `${p}.headers`);
    // What fetch would refuse only once the card is filled in: the forward would fail as unreachable (502)
    // and still raise card.forwarded for a card that never left.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value))
      throw invalid(`${p}.headers: ${echoable(name)} must be printable Latin-1 text (no control characters)`, `${p}.headers`);
    if (lower === 'content-type') contentType = value;
    headers[name] = value;
  }

  const { kind, body } = bodyKind(request.body, contentType, `${p}.body`);
  if (body.length > 65_536) throw invalid(`${p}.body must be at most 64 KB`, `${p}.body`);
  // The template is stored on a session and hashed for idempotency: it holds placeholders, never a number.
  if (containsCardNumber(body, passesLuhn)) throw invalid(`${p}.body must not contain a card number: write {{card.number}} where it goes`, `${p}.body`);
  let usesCvc = false;
  for (const m of body.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw invalid(
        `${p}.body: unknown placeholder {{card.${echoable(name)}}}; use ${PLACEHOLDERS.filter((n) => n !== 'cvc')
          .map((n) => `{{card.${n}}}`)
          .join(', ')}`,
        `${p}.body`,
      );
    }
    if (name === 'cvc' && !options.allowCvc) {
      throw invalid(
        `${p}.body: {{card.cvc}} cannot be filled here: the CVC is never stored. Send it from the customer's confirmation instead (a session's forward)`,
        `${p}.body`,
      );
    }
    usesCvc ||= name === 'cvc';
  }
  if (options.registeredUrl !== undefined) checkBodyNames(kind, body, options.registeredUrl, `${p}.body`);
  if (kind === 'json') checkJsonPlacement(body, `${p}.body`);
  else checkFormPlacement(body, `${p}.body`);
  if (!contentType) headers['Content-Type'] = kind === 'json' ? 'application/json' : FORM_TYPE;
  return { method: request.method, ...(request.path !== undefined ? { path: request.path } : {}), headers, kind, body, usesCvc };
}

/** The body with the card's values in place of the placeholders. */
export function fillTemplate(template: CheckedTemplate, card: CardValues): string {
  return template.body.replace(PLACEHOLDER, (_, name: Placeholder) => {
    const value = cardValue(card, name);
    return template.kind === 'json' ? JSON.stringify(value).slice(1, -1) : encodeURIComponent(value);
  });
}

function cardValue(card: CardValues, name: Placeholder): string {
  const mm = String(card.exp_month).padStart(2, '0');
  const yyyy = String(card.exp_year).padStart(4, '0');
  switch (name) {
    case 'number':
      return card.number;
    case 'exp_month':
      return mm;
    case 'exp_year':
      return yyyy;
    case 'exp_mm_yyyy':
      return `${mm}/${yyyy}`;
    case 'exp_yymm':
      return `${yyyy.slice(-2)}${mm}`;
    case 'holder':
      return card.holder ?? '';
    case 'cvc':
      // The caller checks `usesCvc` first; reaching here without one is a bug, not a request to send.
      if (card.cvc === undefined) throw new Error('the template needs the CVC, which this card does not carry');
      return card.cvc;
  }
}

/** A path and query under the destination's URL: no way out of it, nothing to fill, no card number. */
function checkPath(path: string, param: string): void {
  if (!path.startsWith('/') || path.startsWith('//')) throw invalid(`${param} must start with a single /`, param);
  if (/[\s\\#\p{Cc}]/u.test(path)) throw invalid(`${param} must not contain spaces, backslashes, # or control characters`, param);
  if (path.includes('{{')) throw invalid(`${param}: placeholders are filled in the body only; a URL is logged everywhere it goes`, param);
  if (containsCardNumber(path, passesLuhn)) throw invalid(`${param} must not contain a card number`, param);
  for (const segment of path.split('?')[0].split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw invalid(`${param} has a malformed %-escape`, param);
    }
    // Tomcat, Jetty and Spring drop a segment's `;` parameters before resolving it: `..;x` is `..` there.
    const resolved = decoded.split(';')[0];
    if (resolved === '.' || resolved === '..' || decoded.includes('/'))
      throw invalid(`${param} must stay under the destination's URL (no . or .. segments)`, param);
  }
}

/**
 * A query parameter's name as PHP reads it (php_register_variable_ex in php-src's main/php_variables.c):
 * leading spaces dropped, cut at a NUL, `account[]` standing for `account`, and a space or a dot written
 * `_` (`account.id` is `account_id`), as is a `[` that no `]` closes, with every space, dot and `[` after it.
 */
function phpName(name: string): string {
  let read = name.replace(/^ +/, '').split('\0')[0];
  const open = read.indexOf('[');
  if (open >= 0) {
    read = read.indexOf(']', open) >= 0 ? read.slice(0, open) : `${read.slice(0, open)}_${read.slice(open + 1).replace(/[ .[]/g, '_')}`;
  }
  return read.replace(/[. ]/g, '_').toLowerCase();
}

/** The registered URL's query parameter names, as PHP reads them and without case. */
function registeredNames(registeredUrl: string): Set<string> {
  return new Set([...new URL(registeredUrl).searchParams.keys()].map(phpName));
}

/** Form-encoded names split at `;` as well as `&`, as some servers still do (Python before 3.9.2, Go before 1.17, older Rack). */
const formNames = (text: string) => [...new URLSearchParams(text.replace(/;/g, '&')).keys()];

/**
 * The merchant's query names none of the registered URL's parameters: appended, a second `key=` or
 * `account=` would replace the operator's at the many servers that read the last (or, told apart only
 * by case, at those that ignore it), as a header of the same name would.
 */
function checkQuery(path: string, registeredUrl: string, param: string): void {
  const q = path.indexOf('?');
  if (q < 0) return;
  const registered = registeredNames(registeredUrl);
  for (const name of formNames(path.slice(q + 1))) {
    if (registered.has(phpName(name)))
      throw invalid(`${param}: ${echoable(name)} is set in the destination's URL by the vault's operator and cannot be replaced`, param);
  }
}

/**
 * The body names none of the registered URL's parameters either: PHP's `$_REQUEST` reads a form field
 * over the query parameter of the same name, and Laravel's `input()` a form field or a JSON body's
 * top-level key, so `account=` in the body would replace the operator's `?account=` as surely as in the query.
 */
function checkBodyNames(kind: 'json' | 'form', body: string, registeredUrl: string, param: string): void {
  const registered = registeredNames(registeredUrl);
  if (registered.size === 0) return;
  let names: string[] = [];
  if (kind === 'form') names = formNames(body);
  else {
    const parsed = parseJson(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) names = Object.keys(parsed);
  }
  for (const name of names) {
    if (registered.has(phpName(name)))
      throw invalid(
        `${param}: ${echoable(name)} is set in the destination's URL by the vault's operator; a server merging body and query would read yours instead`,
        param,
      );
  }
}

function bodyKind(body: Request['body'], contentType: string | undefined, param: string): { kind: 'json' | 'form'; body: string } {
  if (typeof body !== 'string') {
    if (contentType && !JSON_TYPE.test(mediaType(contentType)))
      throw invalid(`${param} is a JSON object, but Content-Type says ${echoable(mediaType(contentType))}`, param);
    return { kind: 'json', body: JSON.stringify(body) };
  }
  const type = contentType ? mediaType(contentType) : undefined;
  if (type !== undefined && !JSON_TYPE.test(type) && type !== FORM_TYPE) {
    throw invalid(`${param}: the vault fills JSON (application/json) and form-encoded (${FORM_TYPE}) bodies only`, param);
  }
  const parsed = parseJson(body);
  if (type === undefined ? parsed !== undefined && typeof parsed === 'object' && parsed !== null : JSON_TYPE.test(type)) {
    if (parsed === undefined) throw invalid(`${param} is not valid JSON`, param);
    return { kind: 'json', body };
  }
  return { kind: 'form', body };
}

const mediaType = (contentType: string) => contentType.split(';')[0].trim().toLowerCase();

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every placeholder of a JSON body sits inside a string value: not in a key, not bare. */
function checkJsonPlacement(body: string, param: string): void {
  const strings: { start: number; end: number; key: boolean }[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '"') continue;
    const start = i;
    for (i++; i < body.length && body[i] !== '"'; i++) if (body[i] === '\\') i++;
    let next = i + 1;
    while (next < body.length && /\s/.test(body[next])) next++;
    strings.push({ start, end: i, key: body[next] === ':' });
  }
  for (const m of body.matchAll(PLACEHOLDER)) {
    const at = m.index!;
    const home = strings.find((s) => s.start < at && at + m[0].length <= s.end);
    if (!home || home.key) throw invalid(`${param}: a placeholder must stand inside a JSON string value, such as "cardNumber": "{{card.number}}"`, param);
  }
}

/** Every placeholder of a form body stands in a value (after the `=`), never in a field's name. */
function checkFormPlacement(body: string, param: string): void {
  for (const pair of body.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (/\{\{\s*card\./.test(name)) throw invalid(`${param}: a placeholder must stand in a field's value, such as cardNumber={{card.number}}`, param);
  }
}
