// `npm start`'s test merchant: created on the first run under the demo shop's own name, its keys kept
// beside the database (mode 0600) so that every start can print them, and the demo's origin of this
// start among its allowed origins (DEMO_PORT may have moved since). One made before it took the shop's
// name still carries the old default, "Demo shop": that one, npm start's own, is renamed. A key rolled or a
// signing secret rotated on the dashboard since is taken in stride, never answered with a second merchant.
import fs from 'node:fs';
import path from 'node:path';
import { SHOP_NAME } from '../demo/catalog.ts';
import type { Db } from '../server/db/database.ts';
import { createMerchant, findById, findBySecretKey, rollSecretKey, updateMerchant, type CreatedMerchant } from '../server/merchants/merchant-store.ts';
import type { KeyRing } from '../server/keys/key-ring.ts';
import { openWebhookSecret } from '../server/merchants/webhook-secret.ts';
import { addStaffUser } from '../server/staff/staff-store.ts';

/** The test merchant's name before it took the shop's (data directories from before that change). */
const OLD_DEFAULT_NAME = 'Demo shop';
const DAY_MS = 86_400_000;

export async function ensureTestMerchant(
  { db, ring }: { db: Db; ring: KeyRing },
  dataDir: string,
  demoOrigin: string,
  say: (line: string) => void = () => {},
): Promise<CreatedMerchant> {
  const file = path.join(dataDir, 'test-merchant.json');
  const keep = (m: CreatedMerchant) => fs.writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
  if (fs.existsSync(file)) {
    let saved = JSON.parse(fs.readFileSync(file, 'utf8')) as CreatedMerchant;
    let merchant = await findBySecretKey(db, saved.secret_key);
    const rolled = merchant ? undefined : await findById(db, saved.id);
    let changed = false;
    if (rolled) {
      // Its secret key was rolled (on the dashboard or through the API): the vault keeps only hashes, so
      // the demo gets a key of its own, and the rolled one keeps working for a day beside it.
      const fresh = await rollSecretKey(db, rolled, new Date(Date.now() + DAY_MS));
      saved = { ...saved, secret_key: fresh.secret_key };
      merchant = await findById(db, saved.id);
      changed = true;
      say(`The test merchant's secret key had been rolled: npm start made the demo a new one; the rolled key works until ${fresh.previous_key_expires_at}.`);
    }
    if (merchant) {
      // A signing secret rotated on the dashboard: the demo verifies its webhooks with the current one.
      const current = await currentWebhookSecret(db, ring, merchant.id);
      if (current !== saved.webhook_secret) {
        saved = { ...saved, webhook_secret: current };
        changed = true;
      }
      if (changed) keep(saved);
      // The fields open only on an allowed origin: a shop moved to another DEMO_PORT is added, the earlier ones kept.
      await updateMerchant(db, merchant.id, {
        allowed_origins: merchant.allowed_origins.includes(demoOrigin) ? undefined : JSON.stringify([...merchant.allowed_origins, demoOrigin]),
        name: merchant.name === OLD_DEFAULT_NAME ? SHOP_NAME : undefined,
      });
      return saved;
    }
  }
  // The name the fields' consent and the customers' messages say, from the first moment.
  const created = await createMerchant({ db, ring }, { name: SHOP_NAME, origins: [demoOrigin] });
  keep(created);
  return created;
}

/** The merchant's signing secret as the vault signs with it now (it is stored sealed). */
async function currentWebhookSecret(db: Db, ring: KeyRing, merchantId: string): Promise<string> {
  const row = await db.selectFrom('merchants').select('webhook_secret').where('id', '=', merchantId).executeTakeFirstOrThrow();
  return openWebhookSecret(ring, merchantId, row.webhook_secret);
}

/** The test merchant's dashboard admin. */
export const TEST_ADMIN_EMAIL = 'admin@example.com';

/**
 * The test merchant's admin for the dashboard: until they have set a password, a fresh one-time link
 * at every start (the previous one stops working); undefined once the password is set.
 */
export async function testAdminLink(db: Db, merchantId: string, publicUrl: string): Promise<string | undefined> {
  const admin = await db
    .selectFrom('staff_users')
    .select('password_hash')
    .where('merchant_id', '=', merchantId)
    .where('email', '=', TEST_ADMIN_EMAIL)
    .executeTakeFirst();
  if (admin?.password_hash) return undefined;
  const issued = await addStaffUser(db, { merchantId, email: TEST_ADMIN_EMAIL, role: 'admin', publicUrl, now: new Date() });
  return issued.url;
}
