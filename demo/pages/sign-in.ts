// `/sign-in`: the demo sign-in. A customer number and nothing else: this shop has no passwords.
import { html } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export function signInPage(ctx: PageContext, options: { next: string; error?: string; value?: string }): string {
  const invalid = options.error ? html` aria-invalid="true"` : '';
  const body = html`
    <section class="card narrow">
      <h1>Sign in</h1>
      <p class="notice">This is a demo: there is no password. Pick any customer number, such as <code>alice</code>
      or <code>bob</code>; the vault keeps saved cards per customer number.</p>
      <form method="post" action="/sign-in" class="stack">
        <input type="hidden" name="next" value="${options.next}">
        <label for="customer">Customer number</label>
        <input id="customer" name="customer" required maxlength="32" pattern="[A-Za-z0-9._@\\-]{1,32}" autocomplete="username"
          value="${options.value ?? ''}" aria-describedby="customer-hint${options.error ? ' customer-error' : ''}"${invalid}>
        <p id="customer-hint" class="hint">1 to 32 letters, digits or <code>. _ @ -</code></p>
        ${options.error ? html`<p id="customer-error" class="error" role="alert">${options.error}</p>` : ''}
        <button type="submit" class="button button-primary">Sign in</button>
      </form>
    </section>`;
  return layout(ctx, { title: 'Sign in', section: 'none', body });
}
