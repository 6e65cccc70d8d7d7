// The environment, parsed once at start: a bad value stops the start with a message naming the variable.
import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { z } from 'zod';
import { parseKeyRing } from './keys/key-ring.ts';
import { defaultKeyFile, isInside } from './keys/key-file.ts';
import { parseTrustProxy } from './middleware/client-address.ts';
import { DEFAULT_FIELDS_CAPS } from './middleware/rate-limit.ts';
import { CONNECTOR_TYPES, type ConnectorType } from './payments/processor.ts';

/** A whole decimal number: not blank (which Number() reads as 0, turning a worker off unseen), not 0x1f90 or 1e3. */
const whole = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a whole number written in digits')
  .transform(Number);
const port = whole.pipe(z.number().int().min(1).max(65535));

/** An operator's ceiling in requests a minute; `none` lets merchants lift the limit (benchmarks, tests). */
const ceiling = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      if (v === 'none') return Infinity;
      if (/^\d+$/.test(v) && Number(v) >= 1) return Number(v);
      ctx.addIssue({ code: 'custom', message: 'must be a whole number of requests a minute (1 or more), or none' });
      return z.NEVER;
    });

const schema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DEMO_PORT: port.default(3000),
  /**
   * An http(s) URL with a host: without its scheme (`localhost:4000`), the origin would be the string
   * "null", which the fields' Origin check would then let any sandboxed page send.
   */
  PUBLIC_URL: z
    .url()
    .refine(
      (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && new URL(v).host !== '',
      'must be an http:// or https:// URL with a host, such as https://vault.example.com',
    )
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** The generated key ring's file when VAULT_KEYS is unset; default DATA_DIR's path plus `.key` (`./data.key`), never inside DATA_DIR. */
  KEY_FILE: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    // Parsed here by pg's own parser (a Unix socket's `postgres://user@/db?host=/run/postgresql` included), so
    // that a bad port or host is told by its variable; the value is never echoed (it may hold a password).
    .refine((v) => {
      try {
        parseConnectionString(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be a well-formed postgres:// URL (host, port and database)')
    .optional(),
  /** PostgreSQL: `off` sends every query unnamed, for a pooler that cannot keep prepared statements (PgBouncer before 1.21). */
  PG_NAMED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  VAULT_KEYS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (!v) return;
      try {
        parseKeyRing(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^VAULT_KEYS /, '') });
      }
    }),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender address of customer e-mail; the display name is the merchant's. Default no-reply@ the PUBLIC_URL host. */
  SMTP_FROM: z.email().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The proxies in front of the vault (a hop count, or their CIDRs): per-address limits then count the client they name in X-Forwarded-For. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        return parseTrustProxy(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
  /** Rate-limit counters shared by every vault instance; unset, each instance counts in its own memory. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of the vault's Redis keys, so that several vaults can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ : . -')
    .default('vault:'),
  /** The highest frame_limit_per_address a merchant may set: requests a minute from one client address to its fields. */
  FIELDS_MAX_PER_ADDRESS: ceiling(DEFAULT_FIELDS_CAPS.maxPerAddress),
  /** Requests a minute to one merchant's fields from all addresses together, whatever its rate_limit. */
  FIELDS_MAX_PER_MERCHANT: ceiling(DEFAULT_FIELDS_CAPS.maxPerMerchant),
  SCHEDULER_INTERVAL_MS: whole.default(60_000),
  /** The longest a processor call may take before its outcome counts as unknown; under the 60 s after which a confirmation is presumed dead. */
  PROCESSOR_TIMEOUT_MS: whole.pipe(z.number().min(100).max(50_000, 'must be at most 50000 (a confirmation is presumed dead after 60 s)')).default(30_000),
  /** The operator's override of each provider's API address (an egress proxy, a local test server): `stripe=URL,adyen=URL`. */
  PROCESSOR_BASE_URLS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parsed = parseBaseUrls(v);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  /** How often the webhook worker looks for events to deliver; 0 turns it off. */
  WEBHOOK_INTERVAL_MS: whole.default(2000),
  /** 1: merchants may point webhooks at loopback and private addresses (the local demo); unset or 0: refused. */
  ALLOW_PRIVATE_WEBHOOKS: z
    .enum(['0', '1'], 'must be 1 or 0')
    .default('0')
    .transform((v) => v === '1'),
});

// Two windows of one address can overlap one of the merchant's: an address held under half the
// merchant's quota can never use all of it.
const checked = schema.superRefine((env, ctx) => {
  const perMerchant = env.FIELDS_MAX_PER_MERCHANT;
  if (perMerchant < 3) ctx.addIssue({ code: 'custom', path: ['FIELDS_MAX_PER_MERCHANT'], message: 'must be 3 or more, or none' });
  else if (Number.isFinite(perMerchant) && env.FIELDS_MAX_PER_ADDRESS * 2 >= perMerchant && Number.isFinite(env.FIELDS_MAX_PER_ADDRESS)) {
    ctx.addIssue({
      code: 'custom',
      path: ['FIELDS_MAX_PER_ADDRESS'],
      message: `must be less than half of FIELDS_MAX_PER_MERCHANT (${perMerchant}), so that one address cannot use up a merchant's quota`,
    });
  }
});

/** `stripe=http://127.0.0.1:12111,adyen=http://127.0.0.1:8081` → the base URL per connector type, or the problem. */
export function parseBaseUrls(value: string | undefined): ProcessorBaseUrls | string {
  const urls: ProcessorBaseUrls = {};
  for (const entry of (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [name, ...rest] = entry.split('=');
    const url = rest.join('=');
    if (!isConnectorType(name)) {
      return `names ${CONNECTOR_TYPES.join(' or ')}, not ${JSON.stringify(name)} (write ${CONNECTOR_TYPES.map((t) => `${t}=URL`).join(',')})`;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `${name} must be an http(s) URL`;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${name} must be an http(s) URL`;
    if (parsed.username || parsed.password) return `${name} must not carry credentials`;
    urls[name] = parsed.origin + parsed.pathname.replace(/\/+$/, '');
  }
  return urls;
}

/** The operator's base URL of each real connector's API (PROCESSOR_BASE_URLS), by its type. */
export type ProcessorBaseUrls = Partial<Record<ConnectorType, string>>;

const isConnectorType = (name: string): name is ConnectorType => (CONNECTOR_TYPES as readonly string[]).includes(name);

export type Env = Omit<z.infer<typeof schema>, 'PUBLIC_URL' | 'KEY_FILE'> & { PUBLIC_URL: string; KEY_FILE: string };

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const input = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = checked.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = result.data;
  const keyFile = path.resolve(env.KEY_FILE ?? defaultKeyFile(env.DATA_DIR));
  // A key inside the data directory would travel with every copy and backup of it.
  if (isInside(env.DATA_DIR, keyFile))
    throw new Error(
      `Invalid environment:\n  KEY_FILE: must lie outside DATA_DIR (${path.resolve(env.DATA_DIR)}), ` +
        `so that a copy of the data directory holds no key that opens it`,
    );
  return {
    ...env,
    KEY_FILE: keyFile,
    DATA_DIR: path.resolve(env.DATA_DIR),
    PUBLIC_URL: new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).origin,
  };
}
