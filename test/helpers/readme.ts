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

/** The first code block of `lang` under the README heading that starts with `heading`, as written. */
export function readmeBlock(heading: string, lang: string): string {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf(`\n${heading}`);
  if (at < 0) throw new Error(`the README has no heading ${heading}`);
  const block = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at));
  if (!block) throw new Error(`the README has no ${lang} block under ${heading}`);
  return block[1];
}
