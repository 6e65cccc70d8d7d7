// Creates the fields' iframe: explicit title, allow="payment", a sandbox that grants only what the
// fields use (scripts, their own origin for the vault's API, forms for the 3-D Secure page, and a
// window of its own, unsandboxed, for a bank's page that refuses to be framed), and a height that
// follows the fields' content so the host never shows a scroll bar.
/** The fields' page; `locale` only picks the texts the vault sends with it (init still names the locale). */
export function composeFrameUrl(vault: string, publishableKey: string, hostOrigin: string, locale: string): string {
  const url = new URL('/frame', vault);
  url.searchParams.set('pk', publishableKey);
  url.searchParams.set('origin', hostOrigin);
  url.searchParams.set('locale', locale);
  return url.toString();
}

export function createFrame(src: string, title: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.src = src;
  frame.title = title;
  frame.name = 'card-vault-fields';
  frame.setAttribute('allow', 'payment');
  // allow-scripts allow-same-origin together are safe only because the frame's origin is the
  // vault's, never the merchant's.
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
  frame.setAttribute('scrolling', 'no');
  frame.setAttribute('tabindex', '0');
  Object.assign(frame.style, { border: '0', width: '100%', height: '0px', display: 'block', overflow: 'hidden', colorScheme: 'normal' });
  return frame;
}

export function resizeFrame(frame: HTMLIFrameElement, height: number): void {
  if (Number.isFinite(height) && height >= 0 && height < 10_000) frame.style.height = `${Math.ceil(height)}px`;
}
