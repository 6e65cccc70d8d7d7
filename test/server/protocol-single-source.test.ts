// The wire contract is written once, in protocol/: route files (of /v1 and of the dashboard) only wire
// schemas to handlers, the locale list exists once, the error schema is what the server writes, and
// the browser bundles carry no zod.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { describe, expect, it } from 'vitest';
import { ApiErrorBodySchema, CustomerUpdate, CustomerView, ErrorResponseSchema, LocaleCode } from '../../protocol/api.ts';
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';
import { LOCALES } from '../../protocol/messages.ts';
import { ApiError } from '../../server/errors.ts';
import { LOCALES as MESSAGE_LOCALES } from '../../server/messages/message-templates.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(rel);
    return /\.(ts|tsx|mjs|js)$/.test(e.name) ? [rel] : [];
  });
}

/** What in a route file declares or reshapes a schema (zod itself, `.extend(` and the like, an OpenAPI name or description). */
const SCHEMA_DECLARATION = [
  /\bz\s*\.\s*\w+/,
  /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"](?:zod|@hono\/zod-openapi)['"]/,
  /\.(?:extend|pick|omit|partial|required|merge|strict|passthrough|refine|superRefine|transform)\(/,
  /\.openapi\(\s*['"{]/,
];
const schemaDeclarations = (text: string) =>
  text
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter((l) => SCHEMA_DECLARATION.some((re) => re.test(l.text)));

// Three or more of the locale codes, quoted, in a row: an array literal, a z.enum or a union type spelling the list out again.
const code = `(['"\`])(?:${LOCALES.join('|')})\\1`;
const LOCALE_LIST = new RegExp(`${code}(?:\\s*[,|]\\s*${code.replace('\\1', '\\2')}){2,}`, 'g');

describe('route files', () => {
  it('declare no zod schema: every schema, param, query and list envelope comes from protocol/', () => {
    const files = ['server/routes', 'server/dashboard'].flatMap(sourceFiles);
    expect(files).toContain(path.join('server', 'dashboard', 'api.ts'));
    const found = files.flatMap((file) => schemaDeclarations(read(file)).map((l) => `${file}:${l.line}: ${l.text}`));
    expect(found).toEqual([]);
  });

  it('would be caught declaring one (the scan is not blind)', () => {
    expect(schemaDeclarations("import { createRoute, z } from '@hono/zod-openapi';")).toHaveLength(1);
    expect(schemaDeclarations('const idParam = z.object({ id: z.string().min(1).max(64) });')).toHaveLength(1);
    expect(schemaDeclarations('request: { query: ListQuery.extend({ type: Type }) },')).toHaveLength(1);
    expect(schemaDeclarations("const Named = Attempt.openapi('WebhookAttempt');")).toHaveLength(1);
    expect(schemaDeclarations('export const cardRoutes = router().openapi(list, async (c) => c.json(await view(c), 200));')).toEqual([]);
  });
});

describe('the locale list', () => {
  it('is written once, in protocol/messages.ts', () => {
    const inProtocol = sourceFiles('protocol').flatMap((file) => (read(file).match(LOCALE_LIST) ?? []).map((m) => `${file}: ${m}`));
    expect(inProtocol).toEqual([expect.stringMatching(/^protocol\/messages\.ts: /)]);
  });

  it('is not spelled out again anywhere in the product', () => {
    const dirs = ['server', 'iframe', 'widget', 'demo', 'sdk', 'scripts', 'bench'].filter((d) => fs.existsSync(path.join(ROOT, d)));
    // sdk/generated is written from the OpenAPI document, which takes the list from protocol/ (a test
    // keeps it current); widget/releases holds earlier builds of checkout.js as they were released.
    const generated = [path.join('sdk', 'generated'), path.join('widget', 'releases')];
    const written = dirs.flatMap(sourceFiles).filter((file) => !generated.some((dir) => file.startsWith(dir)));
    const copies = written.flatMap((file) => (read(file).match(LOCALE_LIST) ?? []).map((m) => `${file}: ${m}`));
    expect(copies).toEqual([]);
  });

  it('is what the customer locale enums and the message templates accept', () => {
    expect(LocaleCode.options).toEqual([...LOCALES]);
    expect(MESSAGE_LOCALES).toBe(LOCALES);
    for (const locale of LOCALES) expect(CustomerUpdate.safeParse({ locale }).success, locale).toBe(true);
    expect(CustomerUpdate.safeParse({ locale: 'zh' }).success).toBe(false);
    expect(CustomerView.shape.locale.safeParse('tr').success).toBe(true);
  });
});

describe('the error schema of /openapi.json', () => {
  const extra = { param: 'amount', decline_code: 'do_not_honor', charge: 'ch_1', processor_response: { code: '05', message: 'Do not honor' } };

  it('describes exactly the fields server/errors.ts writes, for every code', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const body = JSON.parse(JSON.stringify(new ApiError(code, 'Something went wrong', extra).body()));
      expect(ErrorResponseSchema.safeParse(body).success, code).toBe(true);
      expect(Object.keys(body.error).sort(), code).toEqual(Object.keys(ApiErrorBodySchema.shape).sort());
      expect(body.error).toMatchObject({ type: ERROR_CODES[code].type, code });
    }
  });

  it('keeps only the required fields when a code carries no detail', () => {
    const body = JSON.parse(JSON.stringify(new ApiError('resource_missing', 'No such charge').body()));
    expect(ErrorResponseSchema.parse(body)).toEqual({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such charge' } });
  });
});

describe('the browser bundles', () => {
  // The module graph rollup loads for each bundle (as rollup.config.mjs builds it, minus minifying).
  async function modulesOf(input: string): Promise<string[]> {
    const bundle = await rollup({
      input: path.join(ROOT, input),
      logLevel: 'silent',
      plugins: [
        nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.js', '.mjs'] }),
        commonjs(),
        esbuild({ target: 'es2019', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: path.join(ROOT, 'tsconfig.json') }),
      ],
    });
    await bundle.close();
    return bundle.watchFiles.map((f) => path.relative(ROOT, f));
  }

  // card-validator's number check alone is the fields' own choice (iframe/card-state.ts); its index comes only with the server's validators.
  const SERVER_ONLY = /^(?:node_modules\/(?:zod|@hono|hono|@asteasolutions)\/|node_modules\/card-validator\/dist\/index\.js$|protocol\/(?:api\.ts$|schemas\/))/;

  const BUNDLES = ['iframe/main.tsx', 'widget/checkout-global.ts', 'widget/index.ts'];
  it.each(BUNDLES)(
    '%s loads no zod, no validator of protocol/ and no server library',
    async (input) => {
      const modules = await modulesOf(input);
      expect(modules).toContain('protocol/messages.ts');
      expect(modules.filter((m) => SERVER_ONLY.test(m))).toEqual([]);
    },
    60_000,
  );

  it('can import every wire type of protocol/types.ts for nothing', async () => {
    expect(await modulesOf('protocol/types.ts')).toEqual(['protocol/types.ts']);
  }, 60_000);
});
