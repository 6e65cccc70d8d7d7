// The dashboard's shared pieces: a page frame, loading, errors, status badges, paging, and the
// change buttons, which a viewer sees disabled with the reason beside them.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { DashboardError, type Me } from './api.ts';

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in app');
  return me;
}

/** Whether the signed-in person may change things (an admin). */
export const useCanChange = (): boolean => useMe().role === 'admin';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads once per change of `key`; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** A page: its title in the tab and in an h1 that takes focus after navigation, for keyboards and readers. */
export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  // Before the page is painted (a layout effect): run after it, the focus moved away from a field that
  // someone had already clicked or typed into, and their Enter went to the heading.
  useLayoutEffect(() => {
    document.title = `${props.title} · Dashboard`;
    h1.current?.focus();
  }, [props.title]);
  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={h1}>
          {props.title}
        </h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof DashboardError) return error.message;
  return 'The vault could not be reached. Check your connection and try again.';
}

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {errorText(props.error)}
    </p>
  );
}

/** Loading, error or the content. */
export function Loading<T>(props: { state: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const { data, error, loading } = props.state;
  if (error) return <ErrorNote error={error} />;
  if (data === undefined)
    return loading ? (
      <p class="muted" role="status">
        Loading…
      </p>
    ) : null;
  return <>{props.children(data)}</>;
}

const TONES: Record<string, string> = {
  succeeded: 'good',
  paid: 'good',
  active: 'good',
  member: 'good',
  delivered: 'good',
  failed: 'bad',
  deny: 'bad',
  past_due: 'bad',
  canceled: 'muted',
  ended: 'muted',
  void: 'muted',
  none: 'muted',
};

export function Badge(props: { value: string }) {
  return <span class={`badge ${TONES[props.value] ?? 'info'}`}>{props.value.replace(/_/g, ' ')}</span>;
}

/** Keyset paging over a list answered newest first: "Newer" goes back the way it came. */
export function usePager(key: string) {
  const [trail, setTrail] = useState<string[]>([]);
  useEffect(() => setTrail([]), [key]);
  const after = trail[trail.length - 1];
  return {
    after,
    page: trail.length + 1,
    next: (lastId: string) => setTrail((t) => [...t, lastId]),
    previous: () => setTrail((t) => t.slice(0, -1)),
  };
}

/** Paging buttons; `order: 'number'` for a list in number order, where pages go "Previous" and "Next". */
export function Pager(props: { pager: ReturnType<typeof usePager>; hasMore: boolean; lastId?: string; label: string; order?: 'time' | 'number' }) {
  const { pager, hasMore, lastId } = props;
  const [back, on] = props.order === 'number' ? ['← Previous', 'Next →'] : ['← Newer', 'Older →'];
  if (pager.page === 1 && !hasMore) return null;
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        {back}
      </button>
      <span aria-live="polite">Page {pager.page}</span>
      <button type="button" disabled={!hasMore || !lastId} onClick={() => lastId && pager.next(lastId)}>
        {on}
      </button>
    </nav>
  );
}

/**
 * A button that changes something. A viewer sees it disabled, with why. With `confirm`, a dialog asks
 * first (Escape or Cancel closes it; focus returns to the button).
 */
export function ChangeButton(props: {
  label: string;
  onConfirm: () => Promise<unknown>;
  /** `keep` names the dialog's way out ("Cancel" unless given: a "Cancel mandate" dialog says "Keep mandate"). */
  confirm?: { title: string; text: ComponentChildren; action: string; keep?: string };
  danger?: boolean;
}) {
  const canChange = useCanChange();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!canChange) {
    return (
      <button type="button" disabled title="Viewers can't make changes">
        {props.label}
      </button>
    );
  }
  return (
    <>
      <button type="button" class={props.danger ? 'danger' : undefined} disabled={busy} onClick={() => (props.confirm ? dialog.current?.showModal() : run())}>
        {props.label}
      </button>
      {!props.confirm && <ErrorNote error={error} />}
      {props.confirm && (
        <dialog ref={dialog} aria-labelledby={undefined} aria-label={props.confirm.title}>
          <h2>{props.confirm.title}</h2>
          <div>{props.confirm.text}</div>
          <ErrorNote error={error} />
          <div class="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              {props.confirm.keep ?? 'Cancel'}
            </button>
            <button type="button" class={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={run}>
              {props.confirm.action}
            </button>
          </div>
        </dialog>
      )}
    </>
  );
}

/** Shown above a form a viewer cannot submit. */
export function ViewerNote() {
  return useCanChange() ? null : (
    <p class="note" role="note">
      You are signed in as a viewer: you can see everything here but change nothing.
    </p>
  );
}

/** A definition list of label → value. */
export function Facts(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {props.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A wide table's scrolling box: at 375 px it scrolls sideways on its own, so a keyboard must be able to
 * reach it (tabindex) and a screen reader hears it named (by a heading's id, or a label).
 */
export function TableWrap(props: { labelledBy?: string; label?: string; class?: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard.
    <div class={`table-wrap${props.class ? ` ${props.class}` : ''}`} role="region" aria-labelledby={props.labelledBy} aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}
