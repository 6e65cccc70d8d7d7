// The OpenAPI document exactly as a vault answers it, from a throwaway vault (a temporary SQLite
// directory, nothing else touched): what the API reference and the server SDK's types are built from.
// Its server is `/`, the origin the reference is read on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../server/logger.ts';
import { createRuntime } from '../server/vault-runtime.ts';

export async function vaultDocument(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-document-'));
  const runtime = await createRuntime(
    { DATA_DIR: path.join(dir, 'data'), KEY_FILE: path.join(dir, 'key'), PUBLIC_URL: 'http://localhost:4000', LOG_LEVEL: 'silent' },
    { logger: createLogger({ level: 'silent' }) },
  );
  try {
    const doc = await (await runtime.app.request('/openapi.json')).json();
    return { ...doc, servers: [{ url: '/', description: 'This vault' }] };
  } finally {
    await runtime.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
