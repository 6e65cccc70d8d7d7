// A merchant's webhook signing secret is sealed under the key ring: whoever copies the database (a
// backup, a replica, the data directory) cannot sign an event the merchant's server would trust. The
// attack: read the merchants table, and on SQLite every byte of the data directory, for the secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseKeyRing } from '../../server/keys/key-ring.ts';
import { keyUsage, rotateKeys } from '../../server/keys/rotate-keys.ts';
import { openWebhookSecret } from '../../server/merchants/webhook-secret.ts';
import { verifyWebhook } from '../../sdk/verify-webhook.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { CARDS, newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const k1 = `k1:${crypto.randomBytes(32).toString('base64')}`;
const k2 = `k2:${crypto.randomBytes(32).toString('base64')}`;

describeEachDb('webhook signing secrets at rest', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
  });
  afterAll(() => v?.close());

  const stored = (id: string) =>
    v.runtime.deps.db.selectFrom('merchants').select(['webhook_secret', 'previous_webhook_secret']).where('id', '=', id).executeTakeFirstOrThrow();
  /** Every byte of the data directory (SQLite's database, log and shared memory): what a copy of it holds. */
  const dataFiles = () =>
    Buffer.concat(
      fs
        .readdirSync(v.dataDir)
        .map((f) => path.join(v.dataDir, f))
        .filter((f) => fs.statSync(f).isFile())
        .map((f) => fs.readFileSync(f)),
    );
  it('stores neither the current nor the previous secret in the clear, in the table or (SQLite) anywhere in the data files', async () => {
    const m = await v.newMerchant();
    const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 3600 } });
    expect(rotated.status, rotated.text).toBe(200);
    const row = await stored(m.id);
    for (const secret of [m.webhook_secret, rotated.body.webhook_secret as string]) {
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length));
      if (target === 'sqlite')
        expect(dataFiles().includes(Buffer.from(secret.slice('whsec_'.length))), 'a copy of the data directory holds the secret').toBe(false);
    }
    // The ring opens them: the vault signs with both while the previous one lives.
    expect(openWebhookSecret(v.runtime.deps.ring, m.id, row.webhook_secret)).toBe(rotated.body.webhook_secret);
    expect(openWebhookSecret(v.runtime.deps.ring, m.id, row.previous_webhook_secret!)).toBe(m.webhook_secret);
    // Bound to its merchant: moved onto another merchant's row, it opens nothing.
    const other = await v.newMerchant();
    expect(() => openWebhookSecret(v.runtime.deps.ring, other.id, row.webhook_secret)).toThrow();
  });

  it('signs deliveries that the merchant verifies with the secret it was given', async () => {
    v.runtime.deps.webhookTargets.allowPrivate = true;
    const received: { body: string; signature: string }[] = [];
    const receiver = await import('node:http').then(
      (http) =>
        new Promise<{ url: string; close: () => void }>((resolve) => {
          const server = http.createServer((req, res) => {
            let body = '';
            req.on('data', (c) => (body += c));
            req.on('end', () => {
              received.push({ body, signature: String(req.headers['checkout-signature']) });
              res.end('ok');
            });
          });
          server.listen(0, '127.0.0.1', () =>
            resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/in`, close: () => server.close() }),
          );
        }),
    );
    try {
      const m = await v.newMerchant();
      expect((await v.api('POST', '/v1/merchant', { key: m.secret_key, body: { webhook_url: receiver.url } })).status).toBe(200);
      const session = await openSession(v, { amount: 1200 }, m.secret_key);
      expect((await v.frame('/frame/v1/confirm', session.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
      const events = await v.api('GET', '/v1/events', { key: m.secret_key });
      const id = events.body.data[0]?.id as string;
      const again = await v.api('POST', `/v1/events/${id}/redeliver`, { key: m.secret_key });
      expect(again.body.status_code, again.text).toBe(200);
      expect(verifyWebhook(received[0].body, received[0].signature, m.webhook_secret).id).toBe(id);
    } finally {
      receiver.close();
    }
  });
});

describeEachDb('a webhook secret written in the clear by an earlier version', (target) => {
  it('is sealed at the next start and (SQLite) its bytes leave the data files; deliveries still verify with the same secret', async () => {
    let v = await startTestVault(target, { vaultKeys: k1 });
    try {
      const m = await v.newMerchant();
      // As a version before sealing wrote it.
      await v.runtime.deps.db.updateTable('merchants').set({ webhook_secret: m.webhook_secret }).where('id', '=', m.id).execute();
      v = await v.reopen();
      const row = await v.runtime.deps.db.selectFrom('merchants').select('webhook_secret').where('id', '=', m.id).executeTakeFirstOrThrow();
      expect(row.webhook_secret).not.toContain(m.webhook_secret);
      expect(openWebhookSecret(v.runtime.deps.ring, m.id, row.webhook_secret)).toBe(m.webhook_secret);
      expect(v.logs.some((l) => l.includes('sealed the webhook signing secrets of 1 merchant(s)'))).toBe(true);
      if (target === 'sqlite') {
        // The scrub the start scheduled rewrites the file and empties the log.
        const dir = v.dataDir;
        const files = () =>
          Buffer.concat(
            fs
              .readdirSync(dir)
              .map((f) => path.join(dir, f))
              .filter((f) => fs.statSync(f).isFile())
              .map((f) => fs.readFileSync(f)),
          );
        const secret = Buffer.from(m.webhook_secret.slice('whsec_'.length));
        await expect
          .poll(() => files().includes(secret), { timeout: 10_000, interval: 100, message: 'the secret in the clear is still in the data files' })
          .toBe(false);
      }
    } finally {
      await v.close();
    }
  });
});

describeEachDb('a key rotation and webhook signing secrets', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target, { vaultKeys: k1 });
  });
  afterAll(() => v?.close());

  it('re-seals them under the newest key, so the old key can be retired, and the newest alone opens them', async () => {
    const m = await v.newMerchant();
    const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: m.secret_key, body: { expire_previous_in: 3600 } });
    const { db } = v.runtime.deps;
    expect((await keyUsage(db)).k1).toBeGreaterThanOrEqual(2);
    await rotateKeys(db, parseKeyRing(`${k1},${k2}`));
    expect((await keyUsage(db)).k1 ?? 0).toBe(0);
    const row = await db.selectFrom('merchants').select(['webhook_secret', 'previous_webhook_secret']).where('id', '=', m.id).executeTakeFirstOrThrow();
    const onlyNew = parseKeyRing(k2);
    expect(openWebhookSecret(onlyNew, m.id, row.webhook_secret)).toBe(rotated.body.webhook_secret);
    expect(openWebhookSecret(onlyNew, m.id, row.previous_webhook_secret!)).toBe(m.webhook_secret);
    // The retired key, with a copy of the database taken now, opens neither.
    expect(() => openWebhookSecret(parseKeyRing(k1), m.id, row.webhook_secret)).toThrow();
  });
});

describeEachDb('a webhook signing secret under a key that left the ring', (target) => {
  it('sends nothing, unsigned or otherwise: the attempt says secret_unavailable and the retries go on, no 500', async () => {
    let v = await startTestVault(target, { vaultKeys: k1, allowPrivateWebhooks: true });
    const received: string[] = [];
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      received.push(String(req.headers['checkout-signature']));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/in`;
      expect((await v.api('POST', '/v1/merchant', { body: { webhook_url: url } })).status).toBe(200);
      const session = await openSession(v, { amount: 900 });
      expect((await v.frame('/frame/v1/confirm', session.secret, { card: newCard(CARDS.visa) })).status).toBe(200);
      // Key 1 leaves the ring without a rotation.
      v = await v.reopen({ vaultKeys: k2 });
      const id = (await v.api('GET', '/v1/events')).body.data[0].id as string;
      const again = await v.api('POST', `/v1/events/${id}/redeliver`);
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ status_code: null, error: 'secret_unavailable', delivery: { status: expect.not.stringMatching(/^delivered$/) } });
      expect(received).toEqual([]);
      expect(v.logs.some((l) => l.includes('webhook signing secret could not be opened'))).toBe(true);
    } finally {
      server.close();
      await v.close();
    }
  });
});
