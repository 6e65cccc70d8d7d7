// `npm run keys -- rotate`: adds a key to the ring and re-wraps every data key while the vault serves.
// `npm run keys -- status`: which key versions still wrap data.
// With VAULT_KEYS set, rotation re-wraps under the ring's last key: append a new key to VAULT_KEYS
// first (on every instance), then run it. Without VAULT_KEYS it appends a key to DATA_DIR/master.key.
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { parseEnv } from '../env.ts';
import { keyFilePath, loadKeyRing } from '../vault/key-ring.ts';
import { addKeyToFile, keyUsage, rotateKeys } from '../vault/rotate-keys.ts';

async function main(command: string | undefined) {
  if (command !== 'rotate' && command !== 'status') throw new Error('usage: npm run keys -- rotate | status');
  const env = parseEnv();
  let ring = loadKeyRing({ vaultKeys: env.VAULT_KEYS, dataDir: env.DATA_DIR });
  const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    await migrate(handle.db);
    if (command === 'rotate') {
      if (!env.VAULT_KEYS) {
        ring = addKeyToFile(env.DATA_DIR);
        console.log(`added key ${ring.current.id} to ${keyFilePath(env.DATA_DIR)}`);
      }
      const { cards, secrets } = await rotateKeys(handle.db, ring);
      console.log(`re-wrapped ${cards} card keys and ${secrets} vault secrets under ${ring.current.id}`);
    }
    console.log('key usage:', JSON.stringify(await keyUsage(handle.db)));
  } finally {
    await handle.close();
  }
}

main(process.argv[2]).catch((err: Error) => {
  console.error(`keys: ${err.message}`);
  process.exit(1);
});
