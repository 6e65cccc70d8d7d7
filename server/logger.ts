// The vault's structured logger: whatever is logged, no line may carry a full card number or a CVC.
import pino from 'pino';
import type { Logger, DestinationStream } from 'pino';
import { PAN_RUN_SOURCE } from '../protocol/cards.ts';

const REDACTED = '[redacted]';
const REDACTED_PAN = '[redacted-pan]';

// Compared after lower-casing and dropping '_' and '-', so cardNumber, Card-Number and card_number all match.
const SECRET_KEYS = new Set(
  ['number', 'pan', 'card_number', 'cvc', 'cvv', 'cvc2', 'security_code', 'client_secret', 'authorization', 'secret_key', 'webhook_secret', 'password'].map(
    normalizeKey,
  ),
);

// Twelve or more digits, optionally split by single separators (any character that is neither a letter nor a
// digit: spaces, dashes, dots, underscores, slashes, …), the same runs the request filters refuse. No upper bound
// and no Luhn check: a PAN glued to other digits (PAN + CVC, PAN + expiry) must still disappear, and a false
// positive only costs readability. Letters break a run, so 2026-11-24T05:47:32Z stays two short runs.
const PAN_RUN = new RegExp(PAN_RUN_SOURCE, 'g');
const PAN_RUN_TEST = new RegExp(PAN_RUN.source);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function scrubString(s: string): string {
  // The non-global test avoids allocating a new string for the common case of nothing to replace.
  return PAN_RUN_TEST.test(s) ? s.replace(PAN_RUN, REDACTED_PAN) : s;
}

// A PAN stored as a number prints as a digit run too; below 1e11 a number cannot have 12 digits.
function scrubNumber(n: number | bigint): unknown {
  if (typeof n === 'number' && !(Math.abs(n) >= 1e11)) return n;
  return PAN_RUN_TEST.test(String(n)) ? REDACTED_PAN : n;
}

/**
 * Returns `value` with secret-named keys replaced by "[redacted]" and digit runs that could be a PAN replaced
 * by "[redacted-pan]". Never mutates its input: anything that needs a change is copied, anything that does not is
 * shared with the input (so the result may be `value` itself), which keeps the per-line cost low.
 * Errors become pino's serialized form ({ type, message, stack, ... }) so that their message and stack are scrubbed.
 */
export function scrub(value: unknown): unknown {
  return walk(value, new Set());
}

function walk(value: unknown, path: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
      return scrubString(value);
    case 'number':
    case 'bigint':
      return scrubNumber(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  // Handing back the original of a cyclic reference would let the unscrubbed object reach the serializer.
  if (path.has(value)) return '[Circular]';
  path.add(value);
  try {
    if (value instanceof Error) return walk(pino.stdSerializers.err(value), path);
    // toJSON decides what gets printed (a URL's href, say), so that is what must be scrubbed.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(value), path);
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = walk(value[i], path);
        if (next !== value[i]) (out ??= value.slice())[i] = next;
      }
      return out ?? value;
    }
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(obj)) {
      const before = obj[key];
      const after = SECRET_KEYS.has(normalizeKey(key)) ? REDACTED : walk(before, path);
      const safeKey = scrubString(key);
      if (after === before && safeKey === key) continue;
      out ??= { ...obj };
      if (safeKey !== key) delete out[key];
      out[safeKey] = after;
    }
    return out ?? value;
  } finally {
    path.delete(value);
  }
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const config: pino.LoggerOptions = {
    // An empty LOG_LEVEL (common with compose files) would make pino throw, so it falls back like an unset one.
    level: options.level ?? (process.env.LOG_LEVEL || 'info'),
    base: { service: 'vault' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Runs on the merged object (including mixin output) before any serializer sees it.
    formatters: { log: (object) => scrub(object) as Record<string, unknown> },
    serializers: {
      // pino serializes `err` after formatters.log, so this catches errors only a serializer sees.
      err: (err: unknown) => scrub(err),
      // A msg serializer rather than a logMethod hook: it sees the final message, after %s/%d interpolation,
      // msgPrefix, and the message pino copies from an Error logged as the first argument.
      msg: (msg: unknown) => scrub(msg),
    },
    hooks: {
      // Last line of defence for paths that skip the above (a child's own serializers, say). Clean lines cost one
      // regex test; a hit is re-scrubbed as parsed JSON, because a digit run may be a number token or inside a string.
      streamWrite: (line) => (PAN_RUN_TEST.test(line) ? `${JSON.stringify(scrub(JSON.parse(line)))}\n` : line),
    },
  };
  const logger = options.destination ? pino(config, options.destination) : pino(config);
  // pino drops formatters.bindings for children, so bindings are scrubbed on the way in. Children are created with
  // Object.create(parent), so every descendant inherits these two overrides.
  const { child, setBindings } = logger;
  Object.assign(logger, {
    child(this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions): Logger {
      return Reflect.apply(child, this, [scrub(bindings), childOptions]);
    },
    setBindings(this: Logger, bindings: pino.Bindings): void {
      Reflect.apply(setBindings, this, [scrub(bindings)]);
    },
  });
  return logger;
}
