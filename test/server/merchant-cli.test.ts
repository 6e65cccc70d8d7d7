// `npm run merchant -- create` as an operator meets it, run as a real process on a test vault's
// storage: what is missing is named, an origin POST /v1/merchant refuses is refused in the same
// words, and a webhook on a private address names the setting that allows it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/databases.ts';
import { runCli } from '../helpers/storage-scan.ts';
import { SHOP, startTestVault, type TestVault } from '../helpers/test-vault.ts';

// The CLI inherits this environment: the refusals tested here are those of a vault without the setting.
delete process.env.ALLOW_PRIVATE_WEBHOOKS;

const USAGE = 'usage: npm run merchant -- create --name NAME --origin URL';

describeEachDb('npm run merchant -- create', (target) => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault(target);
  });
  afterAll(() => v.close());

  const merchantCli = (args: string[]) => runCli(v, 'server/cli/merchant.ts', args);
  const merchantCount = async () => (await v.runtime.deps.db.selectFrom('merchants').select('id').execute()).length;

  it('names what is missing, then shows the usage', async () => {
    const noName = await merchantCli(['create', '--origin', SHOP]);
    expect(noName.code).toBe(1);
    expect(noName.err).toContain(`merchant: missing --name NAME\n${USAGE}`);
    const nothing = await merchantCli(['create']);
    expect(nothing.err).toContain(`merchant: missing --name NAME and --origin URL\n${USAGE}`);
    const noCommand = await merchantCli(['--name', 'Tea club', '--origin', SHOP]);
    expect(noCommand.err).toContain(`merchant: missing the command "create"\n${USAGE}`);
  });

  it('refuses an origin with a path in the words of POST /v1/merchant, creating nothing', async () => {
    const before = await merchantCount();
    const api = await v.api('POST', '/v1/merchant', { body: { allowed_origins: ['http://localhost:8081/shop'] } });
    expect(api.status).toBe(400);

    const cli = await merchantCli(['create', '--name', 'Tea club', '--origin', 'http://localhost:8081/shop']);
    expect(cli.code).toBe(1);
    expect(cli.err).toContain(`merchant: --origin http://localhost:8081/shop: ${api.body.error.message}`);
    expect(cli.out).not.toContain('sk_test_');
    expect(await merchantCount()).toBe(before);

    // A bare origin, with or without its trailing slash, is what both take.
    const made = await merchantCli(['create', '--name', 'Tea club', '--origin', 'http://localhost:8081/', '--json']);
    expect(made.code).toBe(0);
    const me = await v.api('GET', '/v1/merchant', { key: JSON.parse(made.out).secret_key });
    expect(me.body.allowed_origins).toEqual(['http://localhost:8081']);
  }, 20_000);

  it('names ALLOW_PRIVATE_WEBHOOKS=1 for a webhook on a private address, and only where it would help', async () => {
    const loopback = await merchantCli(['create', '--name', 'Tea club', '--origin', SHOP, '--webhook', 'http://127.0.0.1:8080/webhooks']);
    expect(loopback.code).toBe(1);
    expect(loopback.err).toContain("--webhook: webhook_url's host must resolve, and only to public addresses");
    expect(loopback.err).toContain('run with ALLOW_PRIVATE_WEBHOOKS=1, and give the vault the same setting');

    // Cloud metadata stays refused whatever the setting: no hint to set it.
    const linkLocal = await merchantCli(['create', '--name', 'Tea club', '--origin', SHOP, '--webhook', 'http://169.254.169.254/latest']);
    expect(linkLocal.code).toBe(1);
    expect(linkLocal.err).toContain("--webhook: webhook_url's host must resolve, and only to public addresses");
    expect(linkLocal.err).not.toContain('ALLOW_PRIVATE_WEBHOOKS');
  }, 20_000);
});
