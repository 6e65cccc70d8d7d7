// Each resource's table is queried by its own module: `sessions` under server/sessions/, `cards` under
// server/cards/. Everyone else calls those modules. A few reads elsewhere are kept on purpose, each
// named below with its reason; one that stops matching fails here too, so the list cannot go stale.
// The rule is first tried on bad examples, so that a pattern that has stopped matching anything fails
// instead of passing quietly.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

const OWNERS = { sessions: 'server/sessions/', cards: 'server/cards/' } as const;
type Table = keyof typeof OWNERS;

/** Kept outside the owner on purpose: `file` may name `table` in a query. */
const KEPT: { file: string; table: Table; why: string }[] = [
  { file: 'server/payments/charge-parties.ts', table: 'cards', why: "card, mandate and customer in one joined read on the merchant charge's path" },
  { file: 'server/mandates/mandate-store.ts', table: 'cards', why: "a mandate listing's join for when each mandate's card was deleted" },
  { file: 'server/keys/fingerprint-rotation.ts', table: 'cards', why: 'the key layer fingerprints every card again under a new fingerprint key' },
  { file: 'server/keys/rotate-keys.ts', table: 'cards', why: 'the key layer rewraps sealed columns of every table that has them' },
  { file: 'server/keys/open-vault.ts', table: 'cards', why: 'the key layer checks which key versions the sealed cards need' },
];
/** The database layer's own files: migrations and the generic helpers take a table's name as their argument. */
const INFRASTRUCTURE = 'server/db/';

/**
 * A kysely builder call on the table (aliased or not, in a list or not, spread over lines), or one of
 * the vault's helpers that take a table's name as their second argument.
 */
function uses(table: Table): RegExp {
  const name = `(?:${["'", '"', '`'].map((q) => `${q}${table}(?:\\s+as\\s+\\w+)?${q}`).join('|')})`;
  return new RegExp(
    `\\b(?:selectFrom|updateTable|insertInto|replaceInto|deleteFrom|mergeInto|(?:inner|left|right|full|cross)Join(?:Lateral)?)\\s*\\(\\s*\\[?\\s*${name}` +
      `|\\b(?:getOwned|findOwned|moveRows)\\s*(?:<[^>]*>\\s*)?\\(\\s*[\\w.]+\\s*,\\s*${name}`,
    'g',
  );
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return filesUnder(rel);
    return /\.(?:ts|tsx|mts)$/.test(entry.name) ? [rel] : [];
  });
}

/** `file:line` of every use of the table in the text. */
function usesIn(file: string, text: string, table: Table): string[] {
  return [...text.matchAll(uses(table))].map((m) => `${file}:${text.slice(0, m.index).split('\n').length}`);
}

const serverFiles = filesUnder('server');
const sources = new Map(serverFiles.map((file) => [file, fs.readFileSync(path.join(ROOT, file), 'utf8')]));

describe('table owners', () => {
  it('finds the server files', () => {
    expect(serverFiles).toContain('server/sessions/session-store.ts');
    expect(serverFiles).toContain('server/cards/card-store.ts');
    expect(serverFiles.length).toBeGreaterThan(100);
  });

  it('recognises a query on a table when it sees one', () => {
    const t = (table: Table) => `'${table}'`;
    const bad: [string, Table][] = [
      [`await db.${'select'}From(${t('sessions')}).selectAll().executeTakeFirst();`, 'sessions'],
      [`await trx\n  .${'update'}Table(\n    ${t('sessions')},\n  )\n  .set({ forward_result: x })`, 'sessions'],
      [`q.${'select'}From("cards as c").selectAll()`, 'cards'],
      [`q.${'select'}From([${t('cards')}, 'customers'])`, 'cards'],
      [`q.selectFrom('mandates').${'left'}Join(${t('cards')}, 'cards.token', 'mandates.card_token')`, 'cards'],
      [`await ${'get'}Owned(q, ${t('sessions')}, merchantId, id)`, 'sessions'],
      [`await ${'move'}Rows(deps.db, ${t('sessions')}, sessionMachine, { rows: id, from: 'open', to: 'processing' })`, 'sessions'],
    ];
    for (const [line, table] of bad) expect(usesIn('x.ts', line, table), line).toHaveLength(1);
    const good: [string, Table][] = [
      [`const session = await findSession(deps.db, id);`, 'sessions'],
      [`q.selectFrom('card_imports').select('merchant_id')`, 'cards'],
      [`q.selectFrom('charges').where('session_id', '=', id)`, 'sessions'],
      [`scheduleScrub(db, ['cards']);`, 'cards'],
      [`// read from the cards table by cards/card-store.ts`, 'cards'],
    ];
    for (const [line, table] of good) expect(usesIn('x.ts', line, table), line).toEqual([]);
  });

  for (const table of Object.keys(OWNERS) as Table[]) {
    it(`queries ${table} only in ${OWNERS[table]} (and the kept places)`, () => {
      const kept = new Set(KEPT.filter((k) => k.table === table).map((k) => k.file));
      const outside = [...sources].filter(([file]) => !file.startsWith(OWNERS[table]) && !file.startsWith(INFRASTRUCTURE) && !kept.has(file));
      expect(outside.flatMap(([file, text]) => usesIn(file, text, table))).toEqual([]);
      // Its owner does query it: the pattern still matches real code.
      const owned = [...sources].filter(([file]) => file.startsWith(OWNERS[table]));
      expect(owned.flatMap(([file, text]) => usesIn(file, text, table)).length).toBeGreaterThan(0);
    });
  }

  it('keeps no place on the list that no longer queries its table', () => {
    const stale = KEPT.filter(({ file, table }) => usesIn(file, sources.get(file) ?? '', table).length === 0).map((k) => `${k.file} (${k.table}): ${k.why}`);
    expect(stale).toEqual([]);
  });
});
