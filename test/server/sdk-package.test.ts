// The built packages a merchant's server installs: card-vault/server from plain JavaScript against a
// running vault, and its types still those of the routes (sdk/generated/vault-api.ts, regenerated here).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/ensure-built.ts';
import { SDK_TYPES, sdkTypesFor } from '../../scripts/generate-sdk-types.ts';
import { vaultDocument } from '../../scripts/vault-document.ts';
import { readmeBlock } from '../helpers/readme.ts';
import { serveTestVault, type ServedVault } from '../helpers/served-vault.ts';
import type { TestVault } from '../helpers/test-vault.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('card-vault/server, built, from plain JavaScript', () => {
  let served: ServedVault;
  let v: TestVault;
  let baseUrl: string;
  beforeAll(async () => {
    ensureBuilt();
    served = await serveTestVault('sqlite');
    ({ v, url: baseUrl } = served);
  });
  afterAll(() => served?.close());

  it('opens a session by import, and reports a missing charge as a VaultError by require', async () => {
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: root, env: { ...process.env, BASE: baseUrl, KEY: v.merchant.secret_key } }, (err, out, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out.trim()),
        ),
      );
    const esm = await run([
      '--input-type=module',
      '-e',
      `import { createVaultClient } from 'card-vault/server';
       const vault = createVaultClient({ baseUrl: process.env.BASE, secretKey: process.env.KEY });
       const { data } = await vault.POST('/v1/sessions', { body: { amount: 1250, currency: 'EUR' } });
       console.log(JSON.stringify({ status: data.status, amount: data.amount }));`,
    ]);
    expect(JSON.parse(esm)).toEqual({ status: 'open', amount: 1250 });
    const cjs = await run([
      '-e',
      `const { createVaultClient, VaultError } = require('card-vault/server');
       createVaultClient({ baseUrl: process.env.BASE, secretKey: process.env.KEY })
         .GET('/v1/charges/{id}', { params: { path: { id: 'ch_missing' } } })
         .catch((err) => console.log(JSON.stringify({ isVaultError: err instanceof VaultError, status: err.status, code: err.code })));`,
    ]);
    expect(JSON.parse(cjs)).toEqual({ isVaultError: true, status: 404, code: 'resource_missing' });
  });

  it("runs the README's example as written, with only the vault's address replaced", async () => {
    const example = readmeBlock('### From your server: card-vault/server', 'js');
    expect(example).toContain("baseUrl: 'http://localhost:4000'");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', example.replace("'http://localhost:4000'", JSON.stringify(baseUrl))],
        { cwd: root, env: { ...process.env, VAULT_SECRET_KEY: v.merchant.secret_key } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())),
      ),
    );
    expect(out.split('\n')).toEqual(['not paid yet (open)', '404 resource_missing']);
  });

  it('carries the types of the routes as they are (npm run sdk:types regenerates them)', async () => {
    expect(fs.readFileSync(SDK_TYPES, 'utf8')).toBe(await sdkTypesFor(await vaultDocument()));
  });
});
