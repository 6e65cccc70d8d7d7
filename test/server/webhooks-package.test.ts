// card-vault/webhooks as a merchant's plain-JavaScript server on Node 20 loads it: the built package
// export, by import and by require, checking a delivery signed as the vault signs it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../server/jobs/webhook-signature.ts';
import { ensureBuilt } from '../../scripts/ensure-built.ts';

const root = path.resolve(import.meta.dirname, '../..');
const SECRET = 'whsec_package_test';
const BODY = JSON.stringify({ id: 'evt_1', type: 'session.completed', created: '2026-12-04T00:00:00.000Z', data: { order: 'A-1' } });

/** Runs plain JavaScript in a fresh Node from the repository's root, where `card-vault/…` names this package. */
function runNode(args: string[], input: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, ...input } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

const CHECK = `
  const now = Math.floor(Date.now() / 1000);
  const event = verifyWebhook(process.env.BODY, process.env.HEADER, process.env.SECRET);
  let forged = '';
  try { verifyWebhook(process.env.BODY.replace('A-1', 'A-2'), process.env.HEADER, process.env.SECRET); }
  catch (err) { forged = err instanceof WebhookVerificationError ? err.reason : 'other error'; }
  console.log(JSON.stringify({ id: event.id, order: event.data.order, forged }));
`;

describe('card-vault/webhooks for a plain-JavaScript server', () => {
  let header: string;
  beforeAll(() => {
    ensureBuilt();
    header = signatureHeader([SECRET], Math.floor(Date.now() / 1000), BODY);
  });

  it('imports as ESM and verifies a delivery, refusing the same header over another body', async () => {
    const out = await runNode(['--input-type=module', '-e', `import { verifyWebhook, WebhookVerificationError } from 'card-vault/webhooks';${CHECK}`], {
      BODY,
      HEADER: header,
      SECRET,
    });
    expect(JSON.parse(out)).toEqual({ id: 'evt_1', order: 'A-1', forged: 'no_matching_signature' });
  });

  it('requires as CommonJS the same way', async () => {
    const out = await runNode(['-e', `const { verifyWebhook, WebhookVerificationError } = require('card-vault/webhooks');${CHECK}`], {
      BODY,
      HEADER: header,
      SECRET,
    });
    expect(JSON.parse(out)).toEqual({ id: 'evt_1', order: 'A-1', forged: 'no_matching_signature' });
  });
});
