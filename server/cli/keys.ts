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
import { fingerprintKeyUsage, readFingerprintKeys, REFRESH_MS, rotateFingerprintKeys } from '../keys/fingerprint-rotation.ts';

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
      // Whoever kept the old key ring could open the old fingerprint key: a new one hashes from now on.
      console.log(`new fingerprint key: waiting ${(REFRESH_MS + 1000) / 1000} s for serving vaults to take it up`);
      const fp = await rotateFingerprintKeys(handle.db, ring);
      console.log(`fingerprinted ${fp.moved} cards again under fingerprint key version ${fp.version}`);
      if (fp.retired.length > 0) console.log(`deleted fingerprint key version(s) ${fp.retired.join(', ')}`);
      console.log(
        'the fingerprint key it replaced is deleted by the serving vault a minute after it took the new one up (its scheduler pass), once nothing refers to it',
      );
      for (const { version, cards, other } of fp.kept) {
        console.log(
          `kept fingerprint key version ${version}: ${cards} card(s) that do not open (their key left the ring, or a duplicate) ` +
            `and ${other} 3-D Secure challenge(s) or idempotency record(s) made with it (gone within a day; the next start or rotation deletes it then)`,
        );
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
    const fingerprints = await readFingerprintKeys(handle.db, ring);
    const older = fingerprints ? await fingerprintKeyUsage(handle.db, fingerprints) : [];
    console.log(
      fingerprints
        ? `fingerprint key: version ${fingerprints.current.version}` +
            (older.length ? `; older still held: ${older.map((u) => `${u.version} (${u.cards} cards, ${u.other} other records)`).join(', ')}` : '')
        : 'fingerprint key: none that this key ring opens (the vault makes a new one at its next start)',
    );
    for (const { version, cards } of await missingKeys(handle.db, ring)) {
      console.log(`missing: key version ${version} is not in the key ring but still wraps ${cards} saved card(s); they cannot be used until it is put back`);
    }
    // Processor credentials, webhook signing secrets and forwarding headers too: a merchant's payments or webhooks stop with them.
    for (const { version, settings } of await missingSealedKeys(handle.db, ring)) {
      console.log(
        `missing: key version ${version} is not in the key ring but still wraps ${settings} merchant setting(s) ` +
          '(processor credentials, webhook signing secrets or forwarding headers); they cannot be used until it is put back or the settings are given again',
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
