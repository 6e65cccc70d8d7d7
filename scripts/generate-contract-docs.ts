// `npm run docs:contract`: the parts of docs/ that the code already says, written from the code so
// that they cannot drift from it: the error catalogue (protocol/errors.ts), the test cards (the
// simulated processor's table), the endpoints (the vault's own OpenAPI document) and the languages
// (protocol/messages.ts). Each part sits between `<!-- generated:NAME:start -->` and
// `<!-- generated:NAME:end -->`; test/server/contract-docs.test.ts fails when one is stale.
import fs from 'node:fs';
import path from 'node:path';
import valid from 'card-validator';
import { ERROR_CODES } from '../protocol/errors.ts';
import { LOCALES } from '../protocol/messages.ts';
import { TEST_CARDS } from '../server/payments/simulated-processor.ts';
import { vaultDocument } from './vault-document.ts';

const root = path.resolve(import.meta.dirname, '..');

/** The files with generated parts, relative to the repository's root. */
export const GENERATED_DOCS = ['docs/api.md', 'README.md'];

type Json = Record<string, any>;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

/** A card number as it is printed on the card: the brand's own groups (4-6-5 for Amex). */
function spaced(number: string): string {
  const gaps = valid.number(number).card?.gaps ?? [4, 8, 12];
  return [0, ...gaps].map((at, i, all) => number.slice(at, all[i + 1])).join(' ');
}

function errorCatalogue(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => [`\`${code}\``, String(e.status), `\`${e.type}\``, e.meaning]);
  return table(['code', 'status', 'type', 'meaning'], rows);
}

function testCards(): string {
  return table(
    ['number', 'behaviour'],
    TEST_CARDS.map((c) => [spaced(c.number), c.behaviour]),
  );
}

const KEY_KIND: Record<string, string> = { bearer: 'secret key', clientSecret: "client secret (the fields' iframe only)" };

function endpoints(doc: Json): string {
  const rows: string[][] = [];
  for (const [p, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const schemes = (op.security ?? doc.security ?? []).flatMap((s: Json) => Object.keys(s));
      const idempotency = (op.parameters ?? []).find((x: Json) => x.in === 'header' && x.name === 'Idempotency-Key');
      rows.push([
        method.toUpperCase(),
        `\`${p}\``,
        `\`${op.operationId}\``,
        op.summary,
        schemes.map((s: string) => KEY_KIND[s] ?? s).join(', ') || 'none',
        idempotency ? (idempotency.required ? 'required' : 'accepted') : '',
      ]);
    }
  }
  return table(['method', 'path', 'operationId', 'summary', 'key', 'Idempotency-Key'], rows);
}

function locales(): string {
  return LOCALES.map((l) => `\`${l}\``).join(', ');
}

/** Every generated part by name, as the code says it now. */
export async function generatedParts(): Promise<Record<string, string>> {
  return { errors: errorCatalogue(), 'test-cards': testCards(), endpoints: endpoints(await vaultDocument()), locales: locales() };
}

const MARKER = /<!-- generated:([a-z-]+):start -->\n[\s\S]*?<!-- generated:\1:end -->/g;

/** The markdown with each marked part replaced by its generated text; an unknown or unclosed part is an error. */
export function fillParts(markdown: string, parts: Record<string, string>, file: string): string {
  const starts = [...markdown.matchAll(/<!-- generated:([a-z-]+):start -->/g)].map((m) => m[1]);
  const filled = markdown.replace(MARKER, (_all, name: string) => {
    if (!(name in parts)) throw new Error(`${file}: no generated part is called "${name}"`);
    return `<!-- generated:${name}:start -->\n${parts[name]}\n<!-- generated:${name}:end -->`;
  });
  const closed = [...markdown.matchAll(MARKER)].map((m) => m[1]);
  const open = starts.filter((name) => !closed.includes(name));
  if (open.length) throw new Error(`${file}: generated:${open[0]}:start has no matching end marker`);
  return filled;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const parts = await generatedParts();
  for (const file of GENERATED_DOCS) {
    const full = path.join(root, file);
    const before = fs.readFileSync(full, 'utf8');
    const after = fillParts(before, parts, file);
    if (after !== before) fs.writeFileSync(full, after);
    console.log(`${after === before ? 'up to date' : 'wrote'} ${file}`);
  }
}
