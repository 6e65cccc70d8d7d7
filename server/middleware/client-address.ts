// The customer's address that per-address limits count: the socket's own, or, behind the proxies the
// operator trusts (TRUST_PROXY), the rightmost X-Forwarded-For entry that no trusted proxy wrote.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import { requestHeader } from './request-header.ts';

/** How many proxies stand in front of the vault, or the addresses (CIDRs) of those it trusts. */
export type TrustProxy = number | string[];

export type TrustFn = (address: string, hop: number) => boolean;

/** TRUST_PROXY's text: a hop count, or a comma-separated list of CIDRs. Throws a message for the operator. */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const cidrs = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Trusting every hop would let any client name its own address, so only counts and ranges are taken.
  if (cidrs.length === 0 || cidrs.some((s) => !/^[0-9a-fA-F:.]+(\/\d+)?$/.test(s))) {
    throw new Error('must be a number of proxies (e.g. 1) or a comma-separated list of CIDRs (e.g. 10.0.0.0/8,192.168.1.7)');
  }
  try {
    proxyaddr.compile(cidrs);
  } catch (err) {
    throw new Error((err as Error).message);
  }
  return cidrs;
}

/** The trust test for proxy-addr's walk from the socket leftwards; undefined when no proxy is trusted. */
export function compileTrust(trust: TrustProxy | undefined): TrustFn | undefined {
  if (trust === undefined || trust === 0) return undefined;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile(trust);
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The counted address. Without trusted proxies X-Forwarded-For is ignored, since any client can send
 * one. IPv6 clients are counted by /56, the block an ordinary residential subscriber is given (one
 * /64 per home network inside it), so that rotating
 * through its addresses does not multiply the limit.
 */
export function clientAddress(c: Context, trust: TrustFn | undefined): string {
  const socket = socketAddress(c);
  const address =
    trust && socket
      ? proxyaddr({ headers: { 'x-forwarded-for': requestHeader(c, 'x-forwarded-for') ?? '' }, socket: { remoteAddress: socket } } as never, trust)
      : socket;
  if (!address) return 'unknown';
  // Some proxies write `ip:port` or `[ipv6]:port`; a port must not give each connection its own count,
  // and an entry that is no address at all is counted as the socket (the proxy) rather than as itself.
  const ip = withoutPort(address);
  if (ipaddr.isValid(ip)) return countedAs(ip);
  return socket && ipaddr.isValid(socket) ? countedAs(socket) : 'unknown';
}

function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1];
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4 ? v4[1] : entry;
}

function countedAs(address: string): string {
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts;
  return `${parts
    .slice(0, 3)
    .map((p) => p.toString(16))
    .join(':')}:${(parts[3] & 0xff00).toString(16)}::/56`;
}
