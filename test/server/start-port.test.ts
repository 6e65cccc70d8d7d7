// `npm start` on a port something else already holds: the refusal names the port and the setting
// that moves it (PORT for the vault, DEMO_PORT for the demo shop), as the README's table names them.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../demo/server.ts';
import { portInUse } from '../../scripts/port-in-use.ts';

describe('npm start on a busy port', () => {
  let holder: net.Server;
  let port: number;
  beforeAll(async () => {
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('names DEMO_PORT when the demo shop cannot listen', async () => {
    const started = startDemo({
      port,
      vaultUrl: 'http://127.0.0.1:9',
      secretKey: 'sk_test_unused',
      publishableKey: 'pk_test_unused',
      shopOrigin: `http://localhost:${port}`,
      webhookSecret: 'whsec_unused',
      // No vault here: the shop's start asks it nothing it needs.
      fetch: async () => Response.json({ error: { type: 'api_error', code: 'internal', message: 'no vault in this test' } }, { status: 400 }),
    }).catch(portInUse({ what: 'the demo shop', variable: 'DEMO_PORT', port }));
    await expect(started).rejects.toThrow(
      `port ${port} is already in use, so the demo shop cannot listen there: stop what holds it, ` +
        `or choose another port with DEMO_PORT, e.g. DEMO_PORT=${port + 1} npm start`,
    );
  });

  it('names PORT, and PUBLIC_URL with it, when the vault cannot listen; other errors pass as they are', async () => {
    const second = net.createServer();
    const refused = new Promise((resolve, reject) => {
      second.once('error', reject);
      second.listen(port, '127.0.0.1', () => resolve(undefined));
    }).catch(portInUse({ what: 'the vault', variable: 'PORT', port, alsoSet: 'PUBLIC_URL' }));
    await expect(refused).rejects.toThrow(
      `so the vault cannot listen there: stop what holds it, or choose another port with PORT (and PUBLIC_URL, if you set it)`,
    );

    const other = Promise.reject(new Error('database is locked')).catch(portInUse({ what: 'the vault', variable: 'PORT', port }));
    await expect(other).rejects.toThrow(/^database is locked$/);
  });
});
