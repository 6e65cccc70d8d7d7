// Where a webhook may go: the URL's scheme, no credentials, and every address its host resolves to
// outside loopback, private, link-local and reserved space; then one POST to exactly that checked
// address, its failure told as a class (never the socket's own message, which would scan ports).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** The DNS edge: every address of a host name. Tests replace it on the policy. */
export type Resolve = (hostname: string) => Promise<string[]>;

export interface WebhookTargetPolicy {
  /** ALLOW_PRIVATE_WEBHOOKS: loopback and private ranges become reachable; link-local and reserved never do. */
  allowPrivate: boolean;
  resolve: Resolve;
}

/** What an attempt records in `error`: a class, so a merchant cannot read the vault's network through it. */
/** `secret_unavailable`: the signing secret is sealed under a key the vault's key ring no longer holds; nothing was sent. */
export type AttemptError = 'timeout' | 'connection_failed' | 'tls_error' | 'http_status' | 'address_not_allowed' | 'url_not_allowed' | 'secret_unavailable';

export const systemResolve: Resolve = async (hostname) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export const webhookTargetPolicy = (allowPrivate: boolean, resolve: Resolve = systemResolve): WebhookTargetPolicy => ({ allowPrivate, resolve });

export class WebhookTargetRefused extends Error {
  /** `unresolved`: the name has no address (recorded at delivery as address_not_allowed, the class of a refused address). */
  constructor(
    readonly reason: 'url_not_allowed' | 'address_not_allowed' | 'unresolved',
    message: string,
  ) {
    super(message);
  }
}

// Allowed only with ALLOW_PRIVATE_WEBHOOKS: loopback, RFC 1918, CGNAT, unique-local, local-use NAT64.
const PRIVATE = new net.BlockList();
for (const [a, p] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  PRIVATE.addSubnet(a, p, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('64:ff9b:1::', 48, 'ipv6');

// Never: unspecified, link-local (cloud metadata lives at 169.254.169.254), IETF, documentation,
// benchmarking, multicast, reserved and broadcast; IPv4-compatible, site-local and Teredo IPv6.
const NEVER = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  NEVER.addSubnet(a, p, 'ipv4');
// Cloud metadata and platform services outside link-local, refused even where private addresses are
// allowed: Alibaba Cloud's metadata (inside CGNAT), Azure's WireServer, AWS's IPv6 metadata (unique-local).
NEVER.addAddress('100.100.100.200', 'ipv4');
NEVER.addAddress('168.63.129.16', 'ipv4');
NEVER.addAddress('fd00:ec2::254', 'ipv6');
for (const [a, p] of [
  ['::', 96],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
] as const)
  NEVER.addSubnet(a, p, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  const parse = (s: string) =>
    (s ? s.split(':') : []).flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  const [head, tail] = address.split('::');
  if (tail === undefined) return parse(head);
  const h = parse(head);
  const t = parse(tail);
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

/**
 * The IPv4 address an IPv6 one stands for: IPv4-mapped, NAT64 (64:ff9b::/96), 6to4 (2002::/16), and
 * local-use NAT64 (64:ff9b:1::/48), whose IPv4 address sits in the last 32 bits in the usual /96
 * deployment, or, in RFC 6052's /48 form (the last 32 bits zero), around the reserved octet at bits 64
 * to 71.
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) {
    const rfc6052 = g[6] === 0 && g[7] === 0 && g[4] >> 8 === 0;
    return rfc6052 ? v4(g[3], ((g[4] & 255) << 8) | (g[5] >> 8)) : v4(g[6], g[7]);
  }
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return undefined;
}

export function addressKind(address: string): 'public' | 'private' | 'never' {
  // A scoped address (fe80::1%eth0) is link-local by definition.
  const family = address.includes('%') ? 0 : net.isIP(address);
  if (family === 0) return 'never';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // IPv6's loopback lies inside ::/96 (the old IPv4-compatible range, never allowed): it is private, as 127/8 is.
  if (family === 6 && ipv6Groups(address).join() === '0,0,0,0,0,0,0,1') return 'private';
  // Never first: a metadata service inside a private range stays refused when private ones are allowed.
  if (NEVER.check(address, type)) return 'never';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    // IPv4-mapped, NAT64 and 6to4 addresses are what their IPv4 address is; a local-use NAT64 one is
    // private at most (ALLOW_PRIVATE_WEBHOOKS), and never when its IPv4 address is never allowed.
    if (v4 && (addressKind(v4) === 'never' || !PRIVATE.check(address, 'ipv6'))) return addressKind(v4);
  }
  if (PRIVATE.check(address, type)) return 'private';
  return 'public';
}

const RESOLVE_TIMEOUT_MS = 5000;

export const ADDRESS_MESSAGE =
  "webhook_url's host must resolve, and only to public addresses (loopback, private, link-local and reserved addresses are refused)";

/** Whose webhook it is: a live merchant's events go over https only, `http` is for test mode. */
export interface WebhookOwner {
  live: boolean;
}

export const LIVE_HTTP_MESSAGE = 'webhook_url must be https for a live-mode merchant (http is accepted in test mode only)';

/** The URL's own problems, before any address: scheme (https only in live mode) and credentials. */
export function checkWebhookUrl(raw: string, owner: WebhookOwner): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetRefused('url_not_allowed', 'webhook_url must be an http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookTargetRefused('url_not_allowed', 'webhook_url must be an http or https URL');
  // Events name customers, cards and amounts: a live merchant's travel encrypted or not at all.
  if (owner.live && url.protocol !== 'https:') throw new WebhookTargetRefused('url_not_allowed', LIVE_HTTP_MESSAGE);
  if (url.username || url.password)
    throw new WebhookTargetRefused(
      'url_not_allowed',
      'webhook_url must not carry credentials (user:password@): receivers authenticate the vault by its Checkout-Signature',
    );
  return url;
}

const aborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

export interface VettedTarget {
  url: URL;
  /** The checked address the request must connect to, whatever DNS says a moment later. */
  address: string;
  family: 4 | 6;
}

/**
 * Checks the URL and every address its host resolves to (all of them: a name that answers one
 * public and one private address is refused). Throws WebhookTargetRefused.
 */
export async function vetWebhookUrl(
  policy: WebhookTargetPolicy,
  raw: string,
  owner: WebhookOwner,
  signal: AbortSignal = AbortSignal.timeout(RESOLVE_TIMEOUT_MS),
): Promise<VettedTarget> {
  const url = checkWebhookUrl(raw, owner);
  // WHATWG URL parsing has already turned 2130706433, 0177.0.0.1 and 0x7f.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // A name that does not resolve (or not in time) is refused like a private one: the answer must not tell which.
  const addresses = net.isIP(host) ? [host] : await Promise.race([policy.resolve(host), aborted(signal)]).catch(() => [] as string[]);
  if (addresses.length === 0) throw new WebhookTargetRefused('unresolved', ADDRESS_MESSAGE);
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind === 'never' || (kind === 'private' && !policy.allowPrivate)) throw new WebhookTargetRefused('address_not_allowed', ADDRESS_MESSAGE);
  }
  return { url, address: addresses[0], family: net.isIP(addresses[0]) as 4 | 6 };
}

/** The URL as an attempt records it: without credentials (only rows written before the check could hold some). */
export function recordedUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '';
  }
}

export type PostOutcome = { status: number } | { error: Exclude<AttemptError, 'http_status'>; cause: string };

/**
 * Vets the URL, then POSTs once to the vetted address: the socket's lookup answers only that
 * address, so a DNS answer that changes between the check and the connection cannot redirect it.
 * No redirect is followed (node:http never follows one) and no connection is pooled.
 */
export async function postToWebhook(
  policy: WebhookTargetPolicy,
  raw: string,
  owner: WebhookOwner,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const target = await vetWebhookUrl(policy, raw, owner, signal);
    const lookup = ((_host: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    }) as unknown as net.LookupFunction;
    const send = target.url.protocol === 'https:' ? https.request : http.request;
    const status = await new Promise<number>((resolve, reject) => {
      const req = send(
        target.url,
        { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, lookup, agent: false, signal },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    return { status };
  } catch (err) {
    return { error: failureClass(err), cause: causeCode(err) };
  }
}

function failureClass(err: unknown): Exclude<AttemptError, 'http_status'> {
  // A name that does not resolve and one that resolves into refused space are one class, as when the
  // URL is set: told apart, the attempts would let a merchant map the vault's internal names one by one.
  if (err instanceof WebhookTargetRefused) return err.reason === 'unresolved' ? 'address_not_allowed' : err.reason;
  const e = err as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT') return 'timeout';
  if (typeof e.code === 'string' && /CERT|SSL|TLS|VERIFY|EPROTO|INVALID_CA|HOSTNAME_MISMATCH|PATH_LENGTH/.test(e.code)) return 'tls_error';
  return 'connection_failed';
}

/** For the operator's log only: the error's code, never its message (which names addresses and ports). */
function causeCode(err: unknown): string {
  if (err instanceof WebhookTargetRefused) return err.reason;
  const e = err as { name?: string; code?: string };
  return e.code ?? e.name ?? 'unknown';
}
