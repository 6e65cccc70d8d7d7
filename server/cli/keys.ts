// `npm run keys -- rotate`: adds a key to the ring and re-wraps every data key while the vault serves.
// `npm run keys -- status`: which key versions still wrap data, and which of those the ring lacks.
// With VAULT_KEYS set, rotation re-wraps under the ring's last key: append a new key to VAULT_KEYS
// first (on every instance), then run it. Without VAULT_KEYS it appends a key to KEY_FILE (which an
// older DATA_DIR/master.key is moved to first, as the vault itself does at start).
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { parseEnv } from '../env.ts';
import { moveLegacyKeyFile } from '../keys/key-file.ts';
import { loadKeyRing } from '../keys/key-ring.ts';
import { addKeyToFile, keyUsage, missingKeys, missingSealedKeys, rotateKeys } from '../keys/rotate-keys.ts';

async function main(command: string | undefined) {
  if (command !== 'rotate' && command !== 'status') throw new Error('usage: npm run keys -- rotate | status');
  const env = parseEnv();
  const moved = moveLegacyKeyFile(env.DATA_DIR, env.KEY_FILE);
  if (moved) console.log(`moved the key file out of DATA_DIR: ${moved.from} -> ${moved.to}`);
  let ring = loadKeyRing({ vaultKeys: env.VAULT_KEYS, keyFile: env.KEY_FILE, generate: false });
  const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, namedStatements: env.PG_NAMED_STATEMENTS !== 'off' });
  try {
    await migrate(handle.db);
    if (command === 'rotate') {
      if (!env.VAULT_KEYS) {
        ring = addKeyToFile(env.KEY_FILE);
        console.log(`added key ${ring.current.id} to ${env.KEY_FILE}`);
      }
      const { cards, secrets, unreadable } = await rotateKeys(handle.db, ring);
      console.log(`re-wrapped ${cards} card keys and ${secrets} vault secrets under ${ring.current.id}`);
      if (unreadable > 0) {
        console.error(`keys: ${unreadable} saved card(s) could not be opened with their key (their stored data is damaged) and keep their old key`);
      }
      // The old wrapped keys leave the database's storage before this command ends.
      let scrubbed = await handle.scrub();
      for (let wait = 500; !scrubbed && wait <= 8000; wait *= 2) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        scrubbed = await handle.scrub();
      }
      if (!scrubbed) {
        // Said plainly, and as a failure: the serving vault scrubs at its next start, not before.
        console.error(
          "keys: the old wrapped keys are still in the database's storage (it stayed busy): run this again, or restart the vault, which scrubs at start",
        );
        process.exitCode = 2;
      }
    }
    console.log(`key ring: ${ring.ids.join(', ')} (new cards under ${ring.current.id})`);
    console.log('key usage:', JSON.stringify(await keyUsage(handle.db)));
    for (const { version, cards } of await missingKeys(handle.db, ring)) {
      console.log(`missing: key version ${version} is not in the key ring but still wraps ${cards} saved card(s); they cannot be used until it is put back`);
    }
    // Processor credentials and forwarding headers too: a merchant's payments stop with them.
    for (const { version, settings } of await missingSealedKeys(handle.db, ring)) {
      console.log(
        `missing: key version ${version} is not in the key ring but still wraps ${settings} merchant setting(s) ` +
          '(processor credentials or forwarding headers); they cannot be used until it is put back or the settings are given again',
      );
    }
  } finally {
    await handle.close();
  }
}

main(process.argv[2]).catch((err: Error) => {
  console.error(`keys: ${err.message}`);
  process.exit(1);
});
