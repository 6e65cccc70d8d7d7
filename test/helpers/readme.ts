// The README's own snippets, read as a reader sees them, for the tests that run them.
import fs from 'node:fs';

/** The first HTML block of the README's section on the checkout fields, as written. */
export function readmeSnippet(): string {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The checkout fields'));
  const block = /```html\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('the README has no html block under "The checkout fields"');
  return block[1];
}
