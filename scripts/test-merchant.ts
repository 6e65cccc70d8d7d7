// `npm start`'s test merchant: created on the first run under the demo shop's own name, its keys kept
// beside the database (mode 0600) so that every start can print them, and the demo's origin of this
// start among its allowed origins (DEMO_PORT may have moved since). One made before it took the shop's
// name still carries the old default, "Demo shop": that one, npm start's own, is renamed.
import fs from 'node:fs';
import path from 'node:path';
import { SHOP_NAME } from '../demo/catalog.ts';
import type { Db } from '../server/db/database.ts';
import { createMerchant, findBySecretKey, updateMerchant, type CreatedMerchant } from '../server/merchants/merchant-store.ts';
import { addStaffUser } from '../server/staff/staff-store.ts';

/** The test merchant's name before it took the shop's (data directories from before that change). */
const OLD_DEFAULT_NAME = 'Demo shop';

export async function ensureTestMerchant(db: Db, dataDir: string, demoOrigin: string): Promise<CreatedMerchant> {
  const file = path.join(dataDir, 'test-merchant.json');
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as CreatedMerchant;
    const merchant = await findBySecretKey(db, saved.secret_key);
    if (merchant) {
      // The fields open only on an allowed origin: a shop moved to another DEMO_PORT is added, the earlier ones kept.
      await updateMerchant(db, merchant.id, {
        allowed_origins: merchant.allowed_origins.includes(demoOrigin) ? undefined : JSON.stringify([...merchant.allowed_origins, demoOrigin]),
        name: merchant.name === OLD_DEFAULT_NAME ? SHOP_NAME : undefined,
      });
      return saved;
    }
  }
  // The name the fields' consent and the customers' messages say, from the first moment.
  const created = await createMerchant(db, { name: SHOP_NAME, origins: [demoOrigin] });
  fs.writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
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
