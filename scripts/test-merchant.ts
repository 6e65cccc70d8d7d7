// `npm start`'s test merchant: created on the first run under the demo shop's own name, its keys kept
// beside the database (mode 0600) so that every start can print them.
import fs from 'node:fs';
import path from 'node:path';
import { SHOP_NAME } from '../demo/catalog.ts';
import type { Db } from '../server/db/database.ts';
import { createMerchant, findBySecretKey, type CreatedMerchant } from '../server/merchants/merchant-store.ts';

export async function ensureTestMerchant(db: Db, dataDir: string, demoOrigin: string): Promise<CreatedMerchant> {
  const file = path.join(dataDir, 'test-merchant.json');
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as CreatedMerchant;
    if (await findBySecretKey(db, saved.secret_key)) return saved;
  }
  // The name the fields' consent and the customers' messages say from the first moment, not after the shop renames it.
  const created = await createMerchant(db, { name: SHOP_NAME, origins: [demoOrigin] });
  fs.writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}
