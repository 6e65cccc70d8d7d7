// The vault's hot paths on one database, each against bare Hono's same method in interleaved slices, as table rows.
import crypto from 'node:crypto';
import type { BareLoads } from './bare-loads.ts';
import { interleave, ratioRow } from './interleave.ts';
import type { Load } from './load.ts';
import type { PathName } from './options.ts';
import { processCpu } from './process-cpu.ts';
import { freePort, startChild, stopChild, waitForHttp } from './processes.ts';
import { SESSION_BODY, SessionPool } from './session-pool.ts';
import { chargeBody, merchantChargeLoad, prepareSubscribers } from './subscribers.ts';
import type { Row } from './table.ts';
import { call, frameHeaders, send } from './vault-api.ts';
import { CARDS, newCard } from '../test/helpers/test-cards.ts';

export { LIFTABLE_LIMITS_ENV, liftRateLimits } from './vault-api.ts';

/** The product's budget: a vault path holds at least this share of a bare Hono app's request rate, same method. */
export const MIN_RATIO = 0.25;
/** A merchant-initiated charge calls a processor and keeps a durable record: a tenth. */
export const MIT_MIN_RATIO = 0.1;

export interface VaultBenchOptions {
  /** The vault's base URL; it is also its PUBLIC_URL, which the fields' endpoints require as Origin. */
  vaultUrl: string;
  bare: BareLoads;
  secretKey: string;
  /** An origin on the merchant's allowed list, sent as Checkout-Host-Origin. */
  hostOrigin: string;
  /** Written after each row's name: `SQLite`, `PostgreSQL`. */
  label: string;
  paths: PathName[];
  pairs: number;
  connections: number;
  log: (line: string) => void;
  /** The vault process's CPU time so far, µs (bench/process-cpu.ts), where it can be read. */
  vaultCpu?: Load['cpu'];
  /** Where the vault's database is (`DATA_DIR` or `DATABASE_URL`): the cards list's floor reads it too. */
  storageEnv?: Record<string, string>;
}

interface Bench {
  name: string;
  budget: number;
  /** Sets up what the path needs (not measured) and returns its load. */
  load: (o: VaultBenchOptions) => Promise<Load>;
  /** A reference row measured after the path's own: what bare Hono reaches doing only the path's database work. */
  floor?: (o: VaultBenchOptions) => Promise<Row | undefined>;
}

const SAVED_CARDS = [newCard(CARDS.visa), newCard(CARDS.mastercard), newCard(CARDS.amex)];
const CARDS_CUSTOMER = 'bench-customer-1';

const BENCHES: Record<Exclude<PathName, 'connectors'>, Bench> = {
  sessions: {
    name: 'POST /v1/sessions',
    budget: MIN_RATIO,
    load: async (o) => ({
      name: 'POST /v1/sessions',
      method: 'POST',
      url: `${o.vaultUrl}/v1/sessions`,
      expected: 201,
      headers: { authorization: `Bearer ${o.secretKey}`, 'content-type': 'application/json' },
      body: SESSION_BODY,
      okBody: (b) => b.includes('"client_secret":"'),
    }),
  },
  cards: {
    name: 'GET /v1/customers/:c/cards (3 cards)',
    budget: MIN_RATIO,
    load: async (o) => {
      const url = `${o.vaultUrl}/v1/customers/${CARDS_CUSTOMER}/cards`;
      const expected = await saveThreeCards(o);
      return {
        name: 'GET /v1/customers/:c/cards (3 cards)',
        method: 'GET',
        url,
        expected: 200,
        headers: { authorization: `Bearer ${o.secretKey}` },
        okBody: (b) => b === expected,
      };
    },
    floor: cardsFloor,
  },
  confirm: {
    name: 'POST /frame/v1/confirm (new card)',
    budget: MIN_RATIO,
    load: async (o) => {
      const pool = new SessionPool({ vaultUrl: o.vaultUrl, secretKey: o.secretKey, connections: o.connections, sliceSeconds: 1 });
      return {
        name: 'POST /frame/v1/confirm (new card)',
        method: 'POST',
        url: `${o.vaultUrl}/frame/v1/confirm`,
        expected: 200,
        headers: frameHeaders(o.vaultUrl, o.hostOrigin),
        body: JSON.stringify({ card: newCard(CARDS.visa) }),
        okBody: (b) => b.includes('"status":"succeeded"'),
        next: () => ({ headers: { authorization: `Bearer ${pool.take()}` } }),
        available: pool.available,
        prepare: pool.topUp,
        note: () => `${pool.opened} sessions opened for the pool between slices in ${pool.openSeconds.toFixed(1)} s`,
      };
    },
    floor: confirmFloor,
  },
  replay: {
    name: 'POST /v1/charges (idempotent replay)',
    budget: MIN_RATIO,
    load: async (o) => {
      const [subscriber] = await prepareSubscribers(o.vaultUrl, o.secretKey, 'bench-replay', 1);
      const key = `bench-replay-${crypto.randomBytes(6).toString('hex')}`;
      const headers = { authorization: `Bearer ${o.secretKey}`, 'content-type': 'application/json', 'idempotency-key': key };
      const body = chargeBody(subscriber);
      const first = await send(`${o.vaultUrl}/v1/charges`, { method: 'POST', headers, body });
      if (first.status !== 201 || !first.text.includes('"status":"succeeded"')) {
        throw new Error(`the charge to replay answered ${first.status}: ${first.text.slice(0, 300)}`);
      }
      // Answered from the stored record: the first answer byte for byte, flagged as a replay.
      const again = await send(`${o.vaultUrl}/v1/charges`, { method: 'POST', headers, body });
      if (again.status !== 201 || again.text !== first.text || again.headers.get('idempotent-replayed') !== 'true') {
        const flag = again.headers.get('idempotent-replayed');
        throw new Error(`a replay of the charge answered ${again.status} (Idempotent-Replayed: ${flag}): ${again.text.slice(0, 300)}`);
      }
      return {
        name: 'POST /v1/charges (idempotent replay)',
        method: 'POST',
        url: `${o.vaultUrl}/v1/charges`,
        expected: 201,
        headers,
        body,
        okBody: (b) => b === first.text,
        okHeaders: (h) => h['idempotent-replayed'] === 'true' || h['Idempotent-Replayed'] === 'true',
      };
    },
  },
  mit: {
    name: 'POST /v1/charges (merchant-initiated, simulated processor)',
    budget: MIT_MIN_RATIO,
    load: async (o) => {
      const subscribers = await prepareSubscribers(o.vaultUrl, o.secretKey, 'bench-mit');
      return merchantChargeLoad('POST /v1/charges (merchant-initiated, simulated processor)', o.vaultUrl, o.secretKey, subscribers);
    },
  },
};

/** Saves three cards for one customer the way a shopper does (a session with the customer, confirm with save); returns the list's answer. */
async function saveThreeCards(o: VaultBenchOptions): Promise<string> {
  for (const card of SAVED_CARDS) {
    const session = await call(`${o.vaultUrl}/v1/sessions`, { secretKey: o.secretKey, body: { amount: 1999, currency: 'USD', customer: CARDS_CUSTOMER } });
    const headers = frameHeaders(o.vaultUrl, o.hostOrigin, session.client_secret);
    const confirmed = await call(`${o.vaultUrl}/frame/v1/confirm`, { headers, body: { card, save: true } });
    if (confirmed.status !== 'succeeded' || !confirmed.saved) throw new Error(`card …${card.number.slice(-4)} was not saved: status ${confirmed.status}`);
  }
  const url = `${o.vaultUrl}/v1/customers/${CARDS_CUSTOMER}/cards`;
  const list = await send(url, { headers: { authorization: `Bearer ${o.secretKey}` } });
  const parsed = JSON.parse(list.text);
  if (list.status !== 200 || parsed.data?.length !== 3) throw new Error(`expected 3 saved cards, the list answered ${list.status}: ${list.text.slice(0, 300)}`);
  // Every answer under load is checked against this one, byte for byte: it must not change by itself.
  const again = await send(url, { headers: { authorization: `Bearer ${o.secretKey}` } });
  if (again.text !== list.text) throw new Error(`two reads of the card list differ:\n    ${list.text.slice(0, 300)}\n    ${again.text.slice(0, 300)}`);
  return list.text;
}

/**
 * The cards list's floor (bench/floor-hono.ts): bare Hono answering the same customer's cards with the
 * list's one query on the same database, against bare Hono's GET like the vault. A reference without
 * a budget: the vault's list cannot go faster than its own query allows on this machine.
 */
async function cardsFloor(o: VaultBenchOptions): Promise<Row | undefined> {
  if (!o.storageEnv) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = startChild('cards floor', 'bench/floor-hono.ts', { ...o.storageEnv, PORT: String(port), HOST: '127.0.0.1', FLOOR_CUSTOMER: CARDS_CUSTOMER });
  try {
    await waitForHttp(child, url);
    const first = await send(url, {});
    if (JSON.parse(first.text).data?.length !== 3) throw new Error(`the cards floor answered ${first.status}: ${first.text.slice(0, 300)}`);
    const load: Load = { name: 'cards floor', method: 'GET', url, expected: 200, okBody: (b) => b === first.text, cpu: processCpu(child.proc.pid) };
    const m = await interleave(load, o.bare.GET, { pairs: o.pairs, connections: o.connections, log: o.log });
    return { ...ratioRow(`floor: bare Hono + the list's one query alone, ${o.label}`, m, 0), budget: 'reference', verdict: '-' };
  } finally {
    await stopChild(child);
  }
}

/**
 * The new-card confirmation's floor on PostgreSQL (bench/confirm-floor.ts): bare Hono parsing the same
 * body and sending the four statements a guest confirmation sends, against bare Hono's POST like the
 * vault. On SQLite the confirmation's statements are in-process calls, and its row meets its budget
 * without a reference beside it.
 */
async function confirmFloor(o: VaultBenchOptions): Promise<Row | undefined> {
  if (!o.storageEnv?.DATABASE_URL) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = startChild('confirm floor', 'bench/confirm-floor.ts', { DATABASE_URL: o.storageEnv.DATABASE_URL, PORT: String(port), HOST: '127.0.0.1' });
  try {
    await waitForHttp(child, url, 60_000);
    const body = JSON.stringify({ card: newCard(CARDS.visa) });
    const load: Load = {
      name: 'confirm floor',
      method: 'POST',
      url,
      expected: 200,
      headers: { 'content-type': 'application/json' },
      body,
      okBody: (b) => b.includes('"status":"succeeded"'),
      cpu: processCpu(child.proc.pid),
    };
    const m = await interleave(load, o.bare.POST, { pairs: o.pairs, connections: o.connections, log: o.log });
    return { ...ratioRow(`floor: bare Hono + the confirmation's four statements alone, ${o.label}`, m, 0), budget: 'reference', verdict: '-' };
  } finally {
    await stopChild(child);
  }
}

/** Runs the chosen paths on one vault, one after the other; the rows in the order of the paths. */
export async function runVaultBenchmarks(o: VaultBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const path of o.paths) {
    if (path === 'connectors') continue;
    const bench = BENCHES[path];
    const load = { ...(await bench.load(o)), cpu: o.vaultCpu };
    const m = await interleave(load, o.bare[load.method], { pairs: o.pairs, connections: o.connections, log: o.log });
    rows.push(ratioRow(`${bench.name}, ${o.label}`, m, bench.budget));
    const floor = await bench.floor?.(o);
    if (floor) rows.push(floor);
  }
  return rows;
}

export const benchName = (path: Exclude<PathName, 'connectors'>): { name: string; budget: number } => BENCHES[path];
