// A page that explains why something could not be done: unknown page, refused order, vault down.
import { html, type Html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function messagePage(
  ctx: PageContext,
  options: { title: string; message: string | Html; detail?: string; back?: { href: string; label: string } },
): string {
  const back = options.back ?? { href: '/', label: 'Back to the shop' };
  const body = html`
    <section class="card narrow">
      <h1>${options.title}</h1>
      <p>${options.message}</p>
      ${options.detail ? html`<p class="muted">${options.detail}</p>` : ''}
      <p><a class="button" href="${back.href}">${back.label}</a></p>
    </section>`;
  return layout(ctx, { title: options.title, section: 'none', body });
}
