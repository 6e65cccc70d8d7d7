// The code blocks of the repository's markdown files, read as a reader sees them, for the tests that
// run them: each block with the heading it sits under and its language.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CodeBlock {
  /** The nearest heading above the block, as written (`## 2. Your server`). */
  heading: string;
  lang: string;
  code: string;
}

/** Every fenced block of a markdown file (path from the repository's root), in order; a block in a list item loses its indent. */
export function codeBlocks(file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading = '';
  let open: (CodeBlock & { indent: number }) | undefined;
  for (const line of fs.readFileSync(path.join(root, file), 'utf8').split('\n')) {
    const fence = /^( *)```(\S*)\s*$/.exec(line);
    if (open) {
      if (fence) {
        const { indent: _, ...block } = open;
        blocks.push(block);
        open = undefined;
      } else open.code += `${line.slice(Math.min(open.indent, line.length - line.trimStart().length))}\n`;
    } else if (fence) open = { heading, lang: fence[2], code: '', indent: fence[1].length };
    else if (/^#{1,6} /.test(line)) heading = line;
  }
  if (open) throw new Error(`${file}: the ${open.lang} block under "${open.heading}" is never closed`);
  return blocks;
}

/** The one block of `lang` under the heading that starts with `heading`; an error when there is none or several. */
export function codeBlock(file: string, heading: string, lang: string): string {
  const found = codeBlocks(file).filter((b) => b.heading.startsWith(heading) && b.lang === lang);
  if (found.length !== 1) throw new Error(`${file} has ${found.length} ${lang} blocks under "${heading}", not one`);
  return found[0].code;
}
