// Paths under /dashboard, kept in the address bar and the history: a link is a real link (it opens in
// a new tab, it can be bookmarked), and a click on one is handled here without reloading the page.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/dashboard';

/** What every page is given: its path's parameters (`:id`) and the query string. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

const here = (): Location => ({ path: location.pathname.replace(/\/+$/, '') || BASE, query: new URLSearchParams(location.search) });
const listeners = new Set<() => void>();

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(here);
  useEffect(() => {
    const update = () => setLoc(here());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** The parameters of `pattern` (`/dashboard/charges/:id`) in `path`, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      // A malformed escape (%E0%A4%A) names nothing: the page is "not found", not a broken app.
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return undefined;
      }
    } else if (p[i] !== s[i]) return undefined;
  }
  return params;
}

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} aria-current={props['aria-current']} onClick={onClick}>
      {props.children}
    </a>
  );
}
