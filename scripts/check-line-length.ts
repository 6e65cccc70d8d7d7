// `npm run lint` (after Biome): no line of the project's own code is longer than 160 characters. Biome's
// formatter wraps code at that width; this catches what it leaves alone (comments, long strings).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const MAX = 160;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.js', '*.css'], { encoding: 'utf8' })
  .split('\n')
  // sdk/generated is openapi-typescript's output, written as it writes it; widget/releases holds
  // released builds of checkout.js, byte for byte.
  .filter((f) => f && fs.existsSync(f) && !f.startsWith('dist/') && !f.startsWith('sdk/generated/') && !f.startsWith('widget/releases/'));
const long: string[] = [];
for (const file of files) {
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.length > MAX) long.push(`${file}:${i + 1}: ${line.length} characters`);
    });
}
if (long.length) {
  console.error(`${long.length} line(s) longer than ${MAX} characters:\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`line length: ${files.length} files, none over ${MAX} characters`);
