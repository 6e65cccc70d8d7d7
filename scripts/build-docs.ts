// `npm run build`'s last step: the API reference the vault serves at /docs. Redoc, through Redocly's
// CLI, renders the vault's own OpenAPI document into dist/docs.html with its scripts inside the page,
// so the reference loads nothing from anywhere but the vault. dist/openapi.json is the document it
// was built from.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { vaultDocument } from './vault-document.ts';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

fs.mkdirSync(dist, { recursive: true });
const source = path.join(dist, 'openapi.json');
fs.writeFileSync(source, `${JSON.stringify(await vaultDocument(), null, 2)}\n`);
const output = path.join(dist, 'docs.html');
// No telemetry, no update check: the build reaches no network.
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
try {
  // Its notices (Node 20's end of life for future Redocly releases, Redoc 3's news) only alarm a
  // reader of `npm start`: its output is shown when it fails.
  execFileSync(
    path.join(root, 'node_modules/.bin/redocly'),
    ['build-docs', source, '--inlineBundle', '--title', 'Card vault API reference', '--output', output],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
} catch (err) {
  const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
  process.stderr.write(`${stdout ?? ''}${stderr ?? ''}`);
  throw err;
}
// Redoc's attribution logo is the page's one request to another origin (cdn.redoc.ly), which the
// page's policy refuses: an empty picture of our own takes its place.
const EMPTY_SVG = 'data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22/%3E';
const html = Buffer.from(fs.readFileSync(output, 'utf8').replace(/https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g, EMPTY_SVG));
fs.writeFileSync(output, html);
fs.writeFileSync(`${output}.br`, zlib.brotliCompressSync(html, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } }));
fs.writeFileSync(`${output}.gz`, zlib.gzipSync(html, { level: 9 }));
console.log(`  docs.html     ${(html.length / 1024).toFixed(0)} KB (the API reference at /docs)`);
