import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableMetadata } from 'kysely';
import { sql } from 'kysely';
import ts from 'typescript';
import { beforeAll, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrations.ts';
import { type DbTarget, describeEachDb } from '../helpers/databases.ts';
import { useMigratedDatabase } from '../helpers/migrated-database.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA_FILE = path.join(root, 'server/db/schema.ts');

// What kysely_migration holds in every database migrated so far. kysely refuses to start on a database
// whose recorded migration is missing or renamed, so these are fixed for good; new ones only append.
const HISTORICAL_MIGRATIONS = [
  '0001_initial',
  '0002_confirm_attempts',
  '0003_card_on_file',
  '0004_charge_leases',
  '0005_card_imports',
  '0006_idempotency_holders',
  '0007_mandate_currency',
  '0008_card_cvc_failures',
  '0009_processors',
  '0010_forward_destinations',
  '0011_staff',
  '0012_session_merchant_name',
  '0013_key_roll_and_lists',
  '0014_batched_writes',
  '0015_forward_cvc_answer',
  '0016_invoice_pending_ref',
  '0017_invoice_pending_check',
  '0018_message_failure_classes',
  '0019_refund_lookups',
  '0020_dispute_event_times',
  '0021_guest_charge_indexes',
  '0022_charge_processor',
  '0023_challenge_card_token',
  '0024_card_number_length',
  '0025_invoice_decline_code',
  '0026_invoice_pending_card',
  '0027_dispute_amount_bigint',
];

/** What a value of a column is in JavaScript, NULL aside. */
type Primitive = 'string' | 'number' | 'bigint' | 'boolean' | 'other';
type Columns = Map<string, { nullable: boolean; optional: boolean; primitive: Primitive }>;

/** The one primitive the (non-null) members of a type share: a union of string literals is a string. */
function primitiveOf(parts: readonly ts.Type[]): Primitive {
  const kinds = new Set<Primitive>(
    parts.map((t) =>
      t.flags & ts.TypeFlags.StringLike
        ? 'string'
        : t.flags & ts.TypeFlags.NumberLike
          ? 'number'
          : t.flags & ts.TypeFlags.BigIntLike
            ? 'bigint'
            : t.flags & ts.TypeFlags.BooleanLike
              ? 'boolean'
              : 'other',
    ),
  );
  return kinds.size === 1 ? [...kinds][0] : 'other';
}

/**
 * The tables of schema.ts's `Database` and, for each column, whether its type admits null, whether it
 * is optional (`?:`, or `| undefined`: a select never leaves a column out), and its primitive type.
 */
function typedTables(): Map<string, Columns> {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  // strict keeps `| null` in the types; no ambient types are needed to read the schema.
  const program = ts.createProgram([SCHEMA_FILE], { ...options, strict: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(SCHEMA_FILE)!);
  const database = module && checker.getExportsOfModule(module).find((s) => s.name === 'Database');
  if (!database) throw new Error(`${SCHEMA_FILE} exports no Database`);
  const tables = new Map<string, Columns>();
  for (const table of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(database))) {
    const columns: Columns = new Map();
    for (const column of checker.getPropertiesOfType(checker.getTypeOfSymbol(table))) {
      let type = checker.getTypeOfSymbol(column);
      // ColumnType<Select, Insert, Update> (and Generated<T>): what a select returns is what the column holds.
      const selected = type.getProperty('__select__');
      if (selected) type = checker.getTypeOfSymbol(selected);
      const parts = type.isUnion() ? type.types : [type];
      const has = (flag: ts.TypeFlags) => parts.some((t) => (t.flags & flag) !== 0);
      columns.set(column.name, {
        nullable: has(ts.TypeFlags.Null),
        optional: (column.flags & ts.SymbolFlags.Optional) !== 0 || has(ts.TypeFlags.Undefined),
        primitive: primitiveOf(parts.filter((t) => (t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) === 0)),
      });
    }
    tables.set(table.name, columns);
  }
  return tables;
}

/**
 * What each engine's driver hands back for a column's declared type (database.ts reads PostgreSQL's
 * int8 as a number). A type not listed here fails the test until someone says what it reads as.
 */
const READ_AS: Record<DbTarget, Record<string, Primitive>> = {
  sqlite: { TEXT: 'string', INTEGER: 'number', bigint: 'number' },
  postgres: { text: 'string', int4: 'number', int8: 'number' },
};

const typed = typedTables();

describeEachDb('schema.ts against the migrated database', (target) => {
  const handle = useMigratedDatabase(target);
  let tables: TableMetadata[];
  /** SQLite's primary-key columns per table, see the nullability test. */
  const primaryKeys = new Map<string, Set<string>>();

  beforeAll(async () => {
    tables = (await handle.db.introspection.getTables()).filter((t) => !t.isView && !t.name.startsWith('kysely_migration'));
    if (target === 'sqlite') {
      for (const t of tables) {
        const { rows } = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${t.name})`.execute(handle.db);
        primaryKeys.set(t.name, new Set(rows.filter((r) => r.pk > 0).map((r) => r.name)));
      }
    }
  });

  it('records exactly the historical migration names, so a database migrated by earlier releases starts unchanged', async () => {
    const recorded = async () =>
      (
        await handle.db
          .selectFrom('kysely_migration' as any)
          .select('name')
          .orderBy('name')
          .execute()
      ).map((r: any) => r.name);
    expect(await recorded()).toEqual(HISTORICAL_MIGRATIONS);
    // A restart on the migrated database: kysely finds every recorded name and runs nothing new.
    await migrate(handle.db);
    expect(await recorded()).toEqual(HISTORICAL_MIGRATIONS);
  });

  it('has a table for each table of Database, and no table Database lacks', () => {
    const inDb = tables.map((t) => t.name);
    const problems = [
      ...[...typed.keys()].filter((t) => !inDb.includes(t)).map((t) => `table ${t}: in schema.ts's Database, missing from the database`),
      ...inDb.filter((t) => !typed.has(t)).map((t) => `table ${t}: in the database, missing from schema.ts's Database`),
    ];
    expect(problems).toEqual([]);
  });

  it('has each typed column and types each column of the database', () => {
    const problems: string[] = [];
    for (const table of tables) {
      const columns = typed.get(table.name);
      if (!columns) continue; // reported by the table test
      const inDb = table.columns.map((c) => c.name);
      for (const c of columns.keys()) if (!inDb.includes(c)) problems.push(`${table.name}.${c}: typed in schema.ts, missing from the database`);
      for (const c of inDb) if (!columns.has(c)) problems.push(`${table.name}.${c}: in the database, missing from schema.ts`);
    }
    expect(problems).toEqual([]);
  });

  it('types a column `| null` exactly when the database lets it hold NULL', () => {
    const problems: string[] = [];
    for (const table of tables) {
      for (const column of table.columns) {
        const type = typed.get(table.name)?.get(column.name);
        if (!type || type.nullable === column.isNullable) continue;
        // SQLite lets a PRIMARY KEY column that is not an INTEGER hold NULL unless it says NOT NULL (a
        // documented SQLite quirk); the vault always writes its keys, and PostgreSQL holds the same columns NOT NULL.
        if (target === 'sqlite' && column.isNullable && primaryKeys.get(table.name)?.has(column.name)) continue;
        problems.push(
          type.nullable
            ? `${table.name}.${column.name}: typed | null in schema.ts, NOT NULL in the database`
            : `${table.name}.${column.name}: nullable in the database, typed without | null in schema.ts`,
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it('types every column as a required key: the database returns each one, NULL included', () => {
    const problems: string[] = [];
    for (const table of tables) {
      for (const column of table.columns) {
        const type = typed.get(table.name)?.get(column.name);
        if (type?.optional) problems.push(`${table.name}.${column.name}: optional in schema.ts (\`?:\` or | undefined), always returned by the database`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('types each column as the primitive the driver reads it as (a union of strings is a string)', () => {
    const problems: string[] = [];
    for (const table of tables) {
      for (const column of table.columns) {
        const type = typed.get(table.name)?.get(column.name);
        if (!type) continue; // reported by the column test
        const read = READ_AS[target][column.dataType];
        if (!read) problems.push(`${table.name}.${column.name}: the database's type ${column.dataType} is not in READ_AS: say what the driver reads it as`);
        else if (read !== type.primitive) {
          const typedAs = type.primitive === 'other' ? 'as no single primitive' : type.primitive;
          problems.push(`${table.name}.${column.name}: typed ${typedAs} in schema.ts, read as a ${read} (${column.dataType})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
