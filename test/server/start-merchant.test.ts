// `npm start`'s test merchant is created under the demo shop's name: the fields' consent and the
// customers' messages name "Bean & Kettle" from the first moment, before the shop is even up; one made
// earlier under the old default name takes it, and a shop moved to another DEMO_PORT is allowed there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SHOP_NAME } from '../../demo/catalog.ts';
import { ensureTestMerchant } from '../../scripts/test-merchant.ts';
import { createMerchant, findById } from '../../server/merchants/merchant-store.ts';
import { describeEachDb } from '../helpers/databases.ts';
import { startTestVault, type TestVault } from '../helpers/test-vault.ts';

describeEachDb("npm start's test merchant", (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  it("is created under the shop's name, and kept (with its keys) across starts", async () => {
    const created = await ensureTestMerchant(v.runtime.deps, v.dataDir, 'http://localhost:4001');
    const me = await v.api('GET', '/v1/merchant', { key: created.secret_key });
    expect(me.body).toMatchObject({ id: created.id, name: SHOP_NAME, allowed_origins: ['http://localhost:4001'] });
    expect(fs.statSync(`${v.dataDir}/test-merchant.json`).mode & 0o777).toBe(0o600);

    const again = await ensureTestMerchant(v.runtime.deps, v.dataDir, 'http://localhost:4001');
    expect(again).toEqual(created);
  });

  it('keeps the same merchant after its key was rolled and its signing secret rotated on the dashboard: no second merchant', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-merchant-'));
    try {
      const first = await ensureTestMerchant(v.runtime.deps, dataDir, 'http://localhost:4001');
      const rolled = await v.api('POST', '/v1/merchant/roll_secret_key', { key: first.secret_key, body: { previous_key_expires_in_hours: 0 } });
      const rotated = await v.api('POST', '/v1/webhooks/rotate_secret', { key: rolled.body.secret_key, body: {} });
      expect([rolled.status, rotated.status]).toEqual([200, 200]);
      const said: string[] = [];
      const next = await ensureTestMerchant(v.runtime.deps, dataDir, 'http://localhost:4001', (line) => said.push(line));
      expect(next.id).toBe(first.id);
      expect(next.webhook_secret).toBe(rotated.body.webhook_secret);
      expect(said.join('\n')).toContain("The test merchant's secret key had been rolled");
      // The demo's new key works, and so does the one rolled on the dashboard, for its day.
      expect((await v.api('GET', '/v1/merchant', { key: next.secret_key })).body.id).toBe(first.id);
      expect((await v.api('GET', '/v1/merchant', { key: rolled.body.secret_key })).body.id).toBe(first.id);
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'test-merchant.json'), 'utf8'))).toEqual(next);
      const named = await v.runtime.deps.db.selectFrom('merchants').select('id').where('name', '=', SHOP_NAME).execute();
      expect(named.filter((m) => m.id !== first.id).map((m) => m.id)).not.toContain(next.id);
      // A start after that changes nothing more.
      expect(await ensureTestMerchant(v.runtime.deps, dataDir, 'http://localhost:4001')).toEqual(next);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lets the fields open on the shop moved to another DEMO_PORT, keeping its earlier origin', async () => {
    const fieldsOn = async (origin: string, pk: string) =>
      (await v.runtime.app.request(`/frame?pk=${encodeURIComponent(pk)}&origin=${encodeURIComponent(origin)}`)).status;
    const first = await ensureTestMerchant(v.runtime.deps, v.dataDir, 'http://localhost:4001');
    expect(await fieldsOn('http://localhost:4101', first.publishable_key)).toBe(403);

    const moved = await ensureTestMerchant(v.runtime.deps, v.dataDir, 'http://localhost:4101');
    expect(moved).toEqual(first);
    expect(await fieldsOn('http://localhost:4101', moved.publishable_key)).toBe(200);
    expect(await fieldsOn('http://localhost:4001', moved.publishable_key)).toBe(200);
  });

  it('renames its own merchant from the old default "Demo shop" (a data directory from before), and no other', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-merchant-'));
    try {
      const old = await createMerchant(v.runtime.deps, { name: 'Demo shop', origins: ['http://localhost:3000'] });
      const stranger = await createMerchant(v.runtime.deps, { name: 'Demo shop', origins: ['http://localhost:3000'] });
      fs.writeFileSync(path.join(dataDir, 'test-merchant.json'), JSON.stringify(old));
      expect(await ensureTestMerchant(v.runtime.deps, dataDir, 'http://localhost:3000')).toEqual(old);
      expect((await findById(v.runtime.deps.db, old.id))?.name).toBe(SHOP_NAME);
      expect((await findById(v.runtime.deps.db, stranger.id))?.name).toBe('Demo shop');

      // A name the operator chose since is theirs.
      await v.api('POST', '/v1/merchant', { key: old.secret_key, body: { name: 'Tea club' } });
      await ensureTestMerchant(v.runtime.deps, dataDir, 'http://localhost:3000');
      expect((await findById(v.runtime.deps.db, old.id))?.name).toBe('Tea club');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
