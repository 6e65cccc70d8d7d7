// The rows kysely hands the vault on SQLite: built by the vault from better-sqlite3's arrays
// (sqlite-group-commit.ts), they must be the very objects better-sqlite3 itself would have built.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../server/db/database.ts';

describe('rows read from SQLite', () => {
  let handle: DbHandle | undefined;
  let dir = '';
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-rows-'));
    handle = openDatabase({ dataDir: dir, syncWal: async () => {} });
    await sql`create table t (id integer primary key, name text, data blob, amount real)`.execute(handle.db);
    return handle.db;
  }

  const QUERY = 'select id, name, data, amount, id as name, null as empty from t order by id';

  /** The rows better-sqlite3 itself builds for `query`, on its own read-only connection. */
  function directRows(query: string): unknown[] {
    const direct = new SQLite(path.join(dir, 'vault.db'), { readonly: true });
    try {
      return direct.prepare(query).all();
    } finally {
      direct.close();
    }
  }

  it('are the objects better-sqlite3 builds: every type, nulls, and the later of two same-named columns', async () => {
    const db = await open();
    await sql`insert into t (name, data, amount) values ('a', x'00ff', 1.5), (null, null, null)`.execute(db);
    const { rows } = await sql.raw(QUERY).execute(db);
    expect(rows).toEqual(directRows(QUERY));
    expect(rows[0]).toEqual({ id: 1, name: 1, data: Buffer.from([0, 255]), amount: 1.5, empty: null });
    expect(Object.keys(rows[0] as object)).toEqual(['id', 'name', 'data', 'amount', 'empty']);
  });

  it('are the same objects whatever the column names: quotes, a backslash, `constructor`, `__proto__`', async () => {
    const db = await open();
    await sql`insert into t (name) values ('x')`.execute(db);
    const query = `select id as "a""b", name as "c\\d", id as "__proto__", name as "constructor" from t`;
    const { rows } = await sql.raw(query).execute(db);
    expect(rows).toEqual(directRows(query));
    const row = rows[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['a"b', 'c\\d', 'constructor']);
    // Without `__proto__`, the rows are written as literals: the same objects.
    const plain = 'select id as "a""b", name as "c\\d", name as "constructor" from t';
    expect((await sql.raw(plain).execute(db)).rows).toEqual([{ 'a"b': 1, 'c\\d': 'x', constructor: 'x' }]);
  });

  // From the attack review of the generated builder: names that would be code in a literal, and prototypes.
  it('builds the same rows as better-sqlite3 for column names that would break a generated literal', async () => {
    const db = await open();
    await sql`insert into t (name) values ('x')`.execute(db);
    const g = globalThis as Record<string, unknown>;
    const names = [
      '"}; globalThis.pwned = 1; ({"',
      "'); globalThis.pwned = 2; ('",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a column name that would be code in a template literal
      '`${globalThis.pwned = 3}`',
      '\\',
      '\\"',
      'a\u2028b',
      'c\u2029d',
      '\n',
      '</script>',
      '',
      '0',
      '1e3',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__',
      'v[0]',
      '\ud83d\ude00',
    ];
    const columns = names.map((name, i) => `${i % 2 ? 'name' : 'id'} as "${name.replaceAll('"', '""')}"`).join(', ');
    const query = `select ${columns} from t`;
    const { rows } = await sql.raw(query).execute(db);
    expect(g.pwned).toBeUndefined();
    expect(rows).toEqual(directRows(query));
    const row = rows[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row).sort()).toEqual([...names].sort());
    // A lone surrogate: SQLite gives it back as U+FFFD, as it does to better-sqlite3.
    const lone = 'select id as "a\ud800b" from t';
    expect((await sql.raw(lone).execute(db)).rows).toEqual(directRows(lone));
  });

  it('keeps the prototype of every row whatever the order of a __proto__ column among others, and repeated names', async () => {
    const db = await open();
    await sql`insert into t (name) values ('{"polluted":true}')`.execute(db);
    for (const query of [
      'select id, name as "__proto__" from t',
      'select name as "__proto__", id as "__proto__" from t',
      'select id as "x", name as "x", id as "__proto__" from t',
      'select id as "x", name as "x" from t',
    ]) {
      const { rows } = await sql.raw(query).execute(db);
      const row = rows[0] as Record<string, unknown>;
      expect(Object.getPrototypeOf(row), query).toBe(Object.prototype);
      expect(rows, query).toEqual(directRows(query));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('come back from an INSERT … RETURNING, a streamed read, and a second run of the same statement', async () => {
    const db = await open();
    const inserted = await db
      .insertInto('t' as never)
      .values({ name: 'b' } as never)
      .returning(['id', 'name'] as never)
      .execute();
    expect(inserted).toEqual([{ id: 1, name: 'b' }]);
    const streamed: unknown[] = [];
    for await (const row of db
      .selectFrom('t' as never)
      .select(['id', 'name'] as never)
      .stream())
      streamed.push(row);
    expect(streamed).toEqual([{ id: 1, name: 'b' }]);
    // The statement is cached: its second run must not return arrays.
    expect(
      await db
        .selectFrom('t' as never)
        .select(['id', 'name'] as never)
        .execute(),
    ).toEqual([{ id: 1, name: 'b' }]);
  });

  it('follow a schema change made by another connection: a cached select * shows the new column', async () => {
    const db = await open();
    await sql`insert into t (name) values ('c')`.execute(db);
    const everything = () =>
      db
        .selectFrom('t' as never)
        .selectAll()
        .execute();
    expect(Object.keys((await everything())[0] as object)).toEqual(['id', 'name', 'data', 'amount']);
    const other = new SQLite(path.join(dir, 'vault.db'));
    try {
      other.exec("alter table t add column note text default 'n'");
    } finally {
      other.close();
    }
    expect(await everything()).toEqual([{ id: 1, name: 'c', data: null, amount: null, note: 'n' }]);
  });
});
