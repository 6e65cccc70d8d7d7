// Where the server's logic goes: a route (of /v1 or of the dashboard) parses, calls a resource module
// or a payment flow, and answers; the queries and transactions live in the resource's folder. And the
// "database or transaction" type is declared once, as Queryable in server/db/database.ts. Each rule is
// first tried on a bad example, so that a pattern that has stopped matching anything fails here
// instead of passing quietly.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A query written with kysely: a builder call, a transaction, or its `sql` template tag (sql`…`, sql<T>`…`, sql.raw(…)). */
const QUERY =
  /\b(?:selectFrom|selectNoFrom|updateTable|insertInto|replaceInto|deleteFrom|mergeInto)\s*\(|\.transaction\s*\(|\bsql\s*(?:`|<[^>]*>\s*`|\.\w+\s*\()/;
/** Any import of kysely, static or dynamic, types included. */
const KYSELY = /(?:\bfrom|\bimport|\brequire\s*\()\s*\(?\s*['"]kysely(?:\/[^'"]*)?['"]/;
/** A new name for the database-or-transaction union, in either order. */
const UNION = /\b(?:Db|Kysely<\s*Database\s*>)\s*\|\s*Transaction\s*<|\bTransaction\s*<\s*Database\s*>\s*\|\s*(?:Db|Kysely)\b/;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(rel);
    return /\.(?:ts|tsx|mts)$/.test(entry.name) ? [rel] : [];
  });
}

/** `file:line: text` for every line of the files that matches. */
function offending(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    fs
      .readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((text, i) => (pattern.test(text) ? [`${file}:${i + 1}: ${text.trim()}`] : [])),
  );
}

const routeFiles = ['server/routes', 'server/dashboard', 'server/pages'].flatMap(filesUnder);

describe('the server layering', () => {
  it('finds the route files', () => {
    expect(routeFiles).toContain(path.join('server', 'routes', 'charges.ts'));
    expect(routeFiles).toContain(path.join('server', 'dashboard', 'routes.ts'));
    expect(routeFiles.length).toBeGreaterThan(10);
  });

  it('recognises a query and a kysely import when it sees one', () => {
    // The bad examples are built from pieces so that this file itself holds none of them.
    const bad = [
      `const row = await db.${'select'}From('charges').selectAll().executeTakeFirst();`,
      `await trx.${'update'}Table('invoices').set({ status: 'paid' }).execute();`,
      `await db.${'insert'}Into('events').values(row).execute();`,
      `await q.${'delete'}From ('cards').execute();`,
      `const token = await deps.db.${'transaction'}().execute(async (trx) => createStaffSession(trx, id, now));`,
      `await ${'sql'}\`VACUUM\`.execute(db);`,
      `const n = await ${'sql'}<{ n: number }>\`select 1 as n\`.execute(db);`,
      `const t = ${'sql'}.table('charges');`,
    ];
    for (const line of bad) expect(QUERY.test(line), line).toBe(true);
    const imports = [`import type { Selectable } from '${'kysely'}';`, `import { Kysely } from "${'kysely'}";`, `const k = await import('${'kysely'}');`];
    for (const line of imports) expect(KYSELY.test(line), line).toBe(true);
    const good = [
      'const row = await getCharge(db, merchant.id, id);',
      '// one SQL statement, written in the store',
      "import { listCharges } from '../charges/charge-store.ts';",
    ];
    for (const line of good) expect(QUERY.test(line) || KYSELY.test(line), line).toBe(false);
  });

  it('writes no query in a route file: the resource modules do', () => {
    expect(offending(routeFiles, QUERY)).toEqual([]);
  });

  it('imports kysely in no route file', () => {
    expect(offending(routeFiles, KYSELY)).toEqual([]);
  });

  it('recognises a second name for the database-or-transaction union', () => {
    const bad = [`type Q = Db ${'|'} Transaction<Database>;`, `q: Transaction<Database> ${'|'} Db,`, `type Q = Kysely<Database> ${'|'} Transaction<Database>;`];
    for (const line of bad) expect(UNION.test(line), line).toBe(true);
    expect(UNION.test('export async function getCustomer(q: Queryable, groupId: string)')).toBe(false);
    expect(UNION.test('onRecorded?: (trx: Transaction<Database>, charge: ChargeTable) => Promise<void>;')).toBe(false);
  });

  it('declares that union only in server/db/ (everywhere else it is Queryable)', () => {
    const inDb = (file: string) => file.startsWith(path.join('server', 'db') + path.sep);
    const files = ['server', 'test', 'bench', 'scripts', 'demo'].flatMap(filesUnder).filter((file) => !inDb(file));
    expect(files.length).toBeGreaterThan(100);
    expect(offending(files, UNION)).toEqual([]);
  });
});
