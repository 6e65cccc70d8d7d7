// docs/ as a merchant's developer reads it: the generated parts of the contract as the code says them
// now, test cards that do what the table says, links that lead somewhere inside the repository, and
// the integration guide's code blocks run as written against a real vault (the page's part stands in
// for the fields here; test/e2e/guide.test.ts pays with it in Chromium).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillParts, GENERATED_DOCS, generatedParts } from '../../scripts/generate-contract-docs.ts';
import { startWebhookWorker } from '../../server/jobs/webhook-worker.ts';
import { createMerchant } from '../../server/merchants/merchant-store.ts';
import { CHALLENGE_CODE, TEST_CARDS } from '../../server/payments/simulated-processor.ts';
import { buildGuideShop, freePort, GUIDE, guideScripts, runShellBlock, type GuideShop, type ShopServer } from '../helpers/guide-shop.ts';
import { codeBlock, codeBlocks } from '../helpers/markdown.ts';
import { newCard, openSession, startTestVault, type TestVault } from '../helpers/test-vault.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const markdownFiles = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** A test vault answering on a real port of 127.0.0.1, for the guide's Node processes. */
async function listen(v: TestVault) {
  const server = serve({ fetch: v.runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('docs/api.md, the contract', () => {
  it('carries every generated part as the code says it now', async () => {
    const parts = await generatedParts();
    for (const file of GENERATED_DOCS) {
      const text = read(file);
      // The contract carries every part; the README only the ones it repeats (the test cards).
      const needed = file === 'docs/api.md' ? Object.keys(parts) : ['test-cards'];
      for (const name of needed) expect(text, `${file} lacks <!-- generated:${name}:start -->`).toContain(`<!-- generated:${name}:start -->`);
      expect(text, `${file} is stale: run npm run docs:contract`).toBe(fillParts(text, parts, file));
    }
  });

  it('refuses a generated part it does not know, or one left open', () => {
    expect(() => fillParts('<!-- generated:nothing:start -->\n<!-- generated:nothing:end -->', {}, 'x.md')).toThrow(/no generated part is called "nothing"/);
    expect(() => fillParts('<!-- generated:errors:start -->\n| stale |\n', { errors: '' }, 'x.md')).toThrow(/no matching end marker/);
  });
});

describe('the test cards, as the table lists them', () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await startTestVault('sqlite');
    await v.api('POST', '/v1/merchant', { body: { rate_limit: 0 } });
  });
  afterAll(() => v?.close());

  it.each(TEST_CARDS.map((c) => [c.number, c.behaviour, c] as const))('%s does what the table says: %s', async (_n, _b, card) => {
    const customer = `tc-${card.number.slice(-4)}`;
    const session = await openSession(v, { customer });
    const paid = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(card.number), save: true });
    switch (card.outcome) {
      case 'approved':
        expect(paid.body).toMatchObject({ status: 'succeeded', saved: true });
        break;
      case 'declined':
        expect(paid.status).toBe(402);
        expect(card.behaviour).toContain(`\`${paid.body.error.code}\``);
        break;
      case 'processor_error':
        expect(paid.status).toBe(502);
        expect(card.behaviour).toContain(`\`${paid.body.error.code}\``);
        break;
      case 'challenge': {
        expect(paid.body).toMatchObject({ status: 'requires_action', next_action: { type: 'three_d_secure' } });
        const challenge = paid.body.next_action.challenge;
        expect(card.behaviour).toContain(CHALLENGE_CODE);
        expect((await v.frame(`/frame/v1/challenges/${challenge}`, session.secret, { code: CHALLENGE_CODE })).body.status).toBe('passed');
        const again = await v.frame('/frame/v1/confirm', session.secret, { card: newCard(card.number), save: true, challenge });
        expect(again.body.status).toBe('succeeded');
        break;
      }
      case 'declined_after_save': {
        expect(paid.body).toMatchObject({ status: 'succeeded', saved: true });
        const later = await openSession(v, { customer });
        const oneClick = await v.frame('/frame/v1/confirm', later.secret, { saved_card: { token: paid.body.card.token, cvc: '123' } });
        expect(oneClick.status).toBe(402);
        expect(oneClick.body.error.code).toBe('card_declined');
        break;
      }
    }
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped (not `-` or `_`), spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');

function anchorsIn(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const text = read(file).replace(/^ *```[\s\S]*?^ *```/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('links and references', () => {
  it.each(markdownFiles)('%s links only to files and headings that exist', (file) => {
    const prose = read(file)
      .replace(/^ *```[\s\S]*?^ *```/gm, '')
      .replace(/`[^`\n]*`/g, '');
    const broken: string[] = [];
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [where, anchor] = target.split('#');
      const linked = where ? path.normalize(path.join(path.dirname(file), where)) : file;
      if (linked.startsWith('..') || !fs.existsSync(path.join(root, linked))) broken.push(`${target} (no file ${linked})`);
      else if (anchor && linked.endsWith('.md') && !anchorsIn(linked).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${linked})`);
    }
    expect(broken).toEqual([]);
  });

  it('names no document outside the repository: a clone has the whole contract', () => {
    const outside = ['..', 'shared'].join('/');
    const sharedContract = ['shared', 'API.md'].join('/');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && fs.existsSync(path.join(root, f)) && !f.startsWith('dist/') && !/\.(png|jpe?g|gif|ico|woff2?)$/.test(f));
    const mentions = files.filter((f) => {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      return text.includes(outside) || text.includes(sharedContract);
    });
    expect(mentions).toEqual([]);
  });
});

describe('docs/guide.md, run as written', () => {
  let v: TestVault;
  let vault: { url: string; close: () => Promise<unknown> };
  let stopWebhooks: () => Promise<void>;
  let shop: GuideShop;
  beforeAll(async () => {
    v = await startTestVault('sqlite', { allowPrivateWebhooks: true });
    vault = await listen(v);
    stopWebhooks = startWebhookWorker(v.runtime.deps, 100);
    shop = await buildGuideShop({ vault: vault.url, publishableKey: 'pk_test_unused' });
  });
  afterAll(async () => {
    await shop?.close();
    await stopWebhooks?.();
    await vault?.close();
    await v?.close();
  });

  it('has no code block that this suite and the browser suite do not run', () => {
    const blocks = codeBlocks(GUIDE).map((b) => `${b.heading.replace(/^#+ /, '')}: ${b.lang}`);
    expect(blocks).toEqual([
      "1. A vault and your shop's keys: sh",
      '2. Your server: js',
      '3. The checkout page: html',
      '4. Webhooks: js',
      '5. Charge the saved card later: js',
      '6. Going live: sh',
      '6. Going live: js',
    ]);
    expect(Object.keys(guideScripts()).sort()).toEqual(['charge-later.mjs', 'server.mjs', 'set-processor.mjs', 'webhooks.mjs']);
  });

  it('creates the shop, pays with its session, verifies the webhook, and charges the saved card later, once per order', async () => {
    const port = await freePort();
    const shopOrigin = `http://127.0.0.1:${port}`;
    const created = JSON.parse(
      await runShellBlock(codeBlock(GUIDE, '## 1.', 'sh').replaceAll('http://localhost:8080', shopOrigin), { DATA_DIR: v.dataDir, KEY_FILE: v.keyFile }),
    );
    expect(created).toMatchObject({ secret_key: expect.stringMatching(/^sk_test_/), publishable_key: expect.stringMatching(/^pk_test_/) });
    expect(created.webhook_secret).toMatch(/^whsec_/);
    const env = { VAULT_URL: vault.url, VAULT_SECRET_KEY: created.secret_key, VAULT_WEBHOOK_SECRET: created.webhook_secret };
    const server = await shop.serve(env, port);

    // What the page does: ask the shop for a session, then the fields confirm it with the consent ticked.
    const clientSecret = await askForSession(server);
    const paid = await v.frame('/frame/v1/confirm', clientSecret, { card: newCard('4242424242424242'), save: true }, { 'checkout-host-origin': shopOrigin });
    expect(paid.body).toMatchObject({ status: 'succeeded', saved: true, mandate: expect.stringMatching(/^mdt_/) });
    const line = await server.waitFor(/ paid by charge /);
    expect(line).toMatch(new RegExp(`^order tea-[0-9a-z]+ paid by charge ${paid.body.charge}$`));

    const first = await shop.run('charge-later.mjs', ['tea-topup-1'], env);
    expect(first).toMatch(/^succeeded: ch_\S+, 1500 EUR$/);
    expect(await shop.run('charge-later.mjs', ['tea-topup-1'], env)).toBe(first);
    const charges = await v.api('GET', '/v1/charges?customer=alice', { key: created.secret_key });
    expect(charges.body.data.map((c: { initiator: string; amount: number }) => [c.initiator, c.amount])).toEqual([
      ['merchant', 1500],
      ['customer', 2000],
    ]);
    expect(server.output.filter((l) => !/ paid by charge /.test(l))).toEqual([]);
  });

  it('prints "not charged: card_declined" for the card that declines every later charge', async () => {
    const port = await freePort();
    const shopOrigin = `http://127.0.0.1:${port}`;
    const m = await createMerchant(v.runtime.deps, { name: 'Tea club too', origins: [shopOrigin] });
    const env = { VAULT_URL: vault.url, VAULT_SECRET_KEY: m.secret_key, VAULT_WEBHOOK_SECRET: m.webhook_secret };
    const server = await shop.serve(env, port);
    const clientSecret = await askForSession(server);
    const paid = await v.frame('/frame/v1/confirm', clientSecret, { card: newCard('4000000000000341'), save: true }, { 'checkout-host-origin': shopOrigin });
    expect(paid.body.status).toBe('succeeded');
    expect(await shop.run('charge-later.mjs', ['tea-topup-2'], env)).toBe('not charged: card_declined');
  });
});

describe("docs/guide.md's going live, run as written", () => {
  let v: TestVault;
  let vault: { url: string; close: () => Promise<unknown> };
  let shop: GuideShop;
  beforeAll(async () => {
    v = await startTestVault('sqlite', { vaultKeys: `k1:${crypto.randomBytes(32).toString('base64')}`, publicUrl: 'https://vault.test' });
    vault = await listen(v);
    shop = await buildGuideShop({ vault: vault.url, publishableKey: 'pk_live_unused' });
  });
  afterAll(async () => {
    await shop?.close();
    await vault?.close();
    await v?.close();
  });

  it('creates a live merchant and sets its Stripe account, which the vault then shows without the key', async () => {
    // A public address that needs no name server: the CLI resolves the webhook's host before it accepts it.
    const block = codeBlock(GUIDE, '## 6.', 'sh').replaceAll('https://tea.example/webhooks', 'https://1.1.1.1/webhooks');
    // In the vault's environment, as the guide says: its VAULT_KEYS seal the new merchant's signing secret.
    const live = JSON.parse(await runShellBlock(block, { DATA_DIR: v.dataDir, KEY_FILE: v.keyFile, VAULT_KEYS: v.vaultKeys! }));
    expect(live).toMatchObject({ livemode: true, secret_key: expect.stringMatching(/^sk_live_/), publishable_key: expect.stringMatching(/^pk_live_/) });

    const stripeKey = `sk_live_51Q${crypto.randomBytes(24).toString('hex')}`;
    const out = await shop.run('set-processor.mjs', [], {
      VAULT_URL: vault.url,
      VAULT_SECRET_KEY: live.secret_key,
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRET: `whsec_${crypto.randomBytes(16).toString('hex')}`,
    });
    expect(out).toBe(`true { type: 'stripe', configured: true, key_last4: '${stripeKey.slice(-4)}' }`);
    expect(out).not.toContain(stripeKey);
  });
});

/** What the guide's page does first: ask the shop's server for a session's client secret. */
async function askForSession(server: ShopServer): Promise<string> {
  const res = await fetch(`${server.url}/session`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /session answered ${res.status}; the server printed:\n${server.output.join('\n')}`);
  return ((await res.json()) as { clientSecret: string }).clientSecret;
}
