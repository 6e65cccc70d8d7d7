// Builds the browser assets and the API reference when dist/ is missing or older than their sources (npm start runs it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// The API reference (dist/docs.html) is built from the routes' OpenAPI declarations too.
const SOURCES = [
  'widget',
  'iframe',
  'dashboard',
  'protocol',
  'sdk',
  'rollup.config.mjs',
  'package.json',
  'server/routes',
  'server/app.ts',
  'server/middleware/key-required.ts',
  'server/openapi-document.ts',
  'scripts/build-docs.ts',
];

function newest(entry: string): number {
  const full = path.join(root, entry);
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(full).map((name) => newest(path.join(entry, name))));
}

export function ensureBuilt(): void {
  const manifest = path.join(root, 'dist', 'manifest.json');
  const builtAt = fs.existsSync(manifest) ? fs.statSync(manifest).mtimeMs : 0;
  const complete = fs.existsSync(path.join(root, 'dist', 'docs.html'));
  if (complete && builtAt >= Math.max(...SOURCES.map(newest))) return;
  console.log('Building the checkout script, the fields and the API reference (npm run build)…');
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}
