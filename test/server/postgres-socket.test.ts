// DATABASE_URL may name PostgreSQL's Unix socket (README, Configuration): on the database's own machine
// the vault then opens, migrates and takes payments through the socket, not TCP on 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env.ts';
import { createLogger } from '../../server/logger.ts';
import { createMerchant, type CreatedMerchant } from '../../server/merchants/merchant-store.ts';
import { createRuntime, type VaultRuntime } from '../../server/vault-runtime.ts';
import { createPgDatabase } from '../helpers/databases.ts';

const SOCKET_DIR = process.env.PG_SOCKET_DIR ?? '/var/run/postgresql';
const tcpUrl = process.env.TEST_DATABASE_URL;
const skipped = !tcpUrl
  ? 'TEST_DATABASE_URL is not set'
  : fs.existsSync(path.join(SOCKET_DIR, `.s.PGSQL.${new URL(tcpUrl).port || 5432}`))
    ? ''
    : `PostgreSQL has no socket in ${SOCKET_DIR} (PG_SOCKET_DIR)`;

/** The README's form: the user and database of the TCP URL, the socket's directory as `host`. */
function socketUrl(url: string): string {
  const u = new URL(url);
  return `postgres://${u.username}@${u.pathname}?host=${SOCKET_DIR}${u.port ? `&port=${u.port}` : ''}`;
}

(skipped ? describe.skip : describe)(`DATABASE_URL through PostgreSQL's Unix socket${skipped ? ` skipped: ${skipped}` : ''}`, () => {
  let drop: () => Promise<void>;
  let runtime: VaultRuntime;
  let merchant: CreatedMerchant;
  let url: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-socket-'));

  beforeAll(async () => {
    const database = await createPgDatabase();
    drop = database.drop;
    url = socketUrl(database.url);
    const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: url, VAULT_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    const logger = createLogger({ level: 'warn', destination: { write: () => {} } as any });
    runtime = await createRuntime(env, { logger });
    merchant = await createMerchant(runtime.deps, { name: 'Socket shop', origins: ['http://shop.test'], webhookUrl: undefined });
  });
  afterAll(async () => {
    await runtime?.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is accepted as a postgres:// URL and reaches PostgreSQL by the socket, not by TCP', async () => {
    expect(url).toMatch(/^postgres:\/\/[^@]+@\/vault_test_\w+\?host=\//);
    expect(runtime.deps.dbKind).toBe('postgres');
    // inet_client_addr() is NULL on a Unix-socket connection and 127.0.0.1 over TCP.
    const { rows } = await sql<{ addr: string | null }>`select inet_client_addr()::text as addr`.execute(runtime.deps.db);
    expect(rows[0].addr).toBeNull();
  });

  it('takes a session and a payment through it', async () => {
    const api = (p: string, body: unknown, headers: Record<string, string> = {}) =>
      runtime.app.request(`http://localhost${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const opened = await api('/v1/sessions', { amount: 1999, currency: 'EUR' }, { authorization: `Bearer ${merchant.secret_key}` });
    expect(opened.status).toBe(201);
    const session = (await opened.json()) as { id: string; client_secret: string };
    const paid = await api(
      '/frame/v1/confirm',
      { card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } },
      { authorization: `Bearer ${session.client_secret}`, origin: runtime.deps.publicUrl, 'checkout-host-origin': 'http://shop.test' },
    );
    expect(await paid.json()).toMatchObject({ status: 'succeeded', session: session.id });
  });
});
