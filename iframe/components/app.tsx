// The fields' state machine: loading → form (a new card or the saved cards) → processing →
// challenge (3-D Secure) → done. It hands the RPC layer confirm/clear/focus through `controller`.
// A class rather than hooks: preact/hooks would cost the frame's bundle over a kilobyte gzipped.
import { Component } from 'preact';
import type { ConfirmFailure, ConfirmResult, ConfirmSuccess, FrameEvent, InitParams, LabelKey, ThreeDsMessage } from '../../protocol/messages.ts';
import type { FrameConfirmResult, FrameSession } from '../../protocol/types.ts';
import type { ApiError, ApiResult, FrameApi } from '../api-client.ts';
import { EMPTY_FIELDS, changeSummary, type CardFields } from '../card-state.ts';
import { clearedForm, confirmBody, consentRule, initialForm, judgeForm, localFailure, type Control, type FormState } from '../form-state.ts';
import { ERROR_LABELS, apiErrorLabel, createTranslator, type Translator } from '../i18n.ts';
import { BrandBadge, brandName } from './brand-badge.tsx';
import { Challenge } from './challenge.tsx';
import { ConsentBox } from './consent-box.tsx';
import { NewCardForm } from './new-card-form.tsx';
import { SavedCards } from './saved-cards.tsx';
import { SubmitButton } from './submit-button.tsx';

export interface FieldsController {
  confirm(): Promise<ConfirmResult>;
  clear(): void;
  focus(): void;
}

export type LoadOutcome = { ok: true } | { ok: false; error: ConfirmFailure['error'] };

export interface AppProps {
  params: InitParams;
  api: FrameApi;
  /** The vault's origin: the only one the 3-D Secure page may speak from. */
  vaultOrigin: string;
  emit: (event: FrameEvent) => void;
  /** Called once: the session is on screen (ok), or cannot be shown (the error). */
  onLoad: (outcome: LoadOutcome) => void;
  /** Filled with the handlers for the page's confirm/clear/focus calls. */
  controller: { current?: FieldsController };
  /** After every update, once `ready` is out: the frame measures its height here when ResizeObserver cannot. */
  onRender?: () => void;
  /**
   * The session read the frame already started, and its result if it came in before this first
   * render: the form then shows at once, with no loading line and no second render. Without it the
   * App reads the session itself.
   */
  read?: { pending: Promise<ApiResult<FrameSession>>; result?: ApiResult<FrameSession> };
}

type Phase =
  | { name: 'loading' }
  | { name: 'unavailable'; label: LabelKey; error: ConfirmFailure['error'] }
  | { name: 'form' }
  | { name: 'processing' }
  | { name: 'challenge'; id: string; url: string }
  | { name: 'done'; result: ConfirmSuccess; brand: string };

interface State {
  phase: Phase;
  form: FormState;
  session?: FrameSession;
  /** The vault's answer to the last attempt, in the customer's words. */
  notice?: string;
}

const failure = (error: ApiError): ConfirmFailure => ({ status: 'failed', error: { type: error.type, code: error.code, message: error.message } });
const BUSY = failure({ type: 'idempotency_error', code: 'request_in_progress', message: 'Already confirming' });
/** confirm() before the fields have their session. */
export const NOT_READY = failure({ type: 'invalid_request_error', code: 'resource_missing', message: 'The fields are not ready yet' });
const CLOSED: ApiError = { type: 'invalid_request_error', code: 'session_expired', message: 'The session has expired or is complete' };

export class App extends Component<AppProps, State> {
  /** The latest state: RPC calls arrive between renders and must not read a stale `this.state`. */
  declare s: State;
  declare i18n: Translator;
  declare busy: boolean;
  declare inside: boolean;
  declare lastChange: string;
  declare root: HTMLFormElement | null;
  declare challengeDone?: (status: ThreeDsMessage['status']) => void;
  declare handlers: FieldsController;
  declare gone: boolean;
  /** What the page hears once the first render is on screen, when it already showed the session. */
  declare first?: LoadOutcome;

  constructor(props: AppProps) {
    super(props);
    this.i18n = createTranslator(props.params.locale, props.params.labels);
    this.busy = this.inside = false;
    this.lastChange = '';
    this.gone = false;
    const loading: State = { phase: { name: 'loading' }, form: initialForm({ cards: [] }) };
    const first = props.read?.result && this.loaded(props.read.result);
    this.s = this.state = first ? { ...loading, ...first.patch } : loading;
    this.first = first ? first.outcome : undefined;
    props.controller.current = this.handlers = { confirm: () => this.confirm(), clear: () => this.clear(), focus: () => this.focus() };
  }

  /** The state a session read leads to, and what the page hears of it; the page's first summary is kept unsent. */
  loaded(res: ApiResult<FrameSession>): { patch: Partial<State>; outcome: LoadOutcome } {
    if (!res.ok || res.data.status !== 'open') {
      const error = res.ok ? CLOSED : res.error;
      const { error: clean } = failure(error);
      const label = error.code === 'resource_missing' ? 'errorSession' : apiErrorLabel(error);
      return { patch: { phase: { name: 'unavailable', label, error: clean } }, outcome: { ok: false, error: clean } };
    }
    const form = initialForm(res.data);
    this.lastChange = this.summary(form, res.data).key;
    return { patch: { session: res.data, phase: { name: 'form' }, form }, outcome: { ok: true } };
  }

  /** What the page hears of a form: its summary, and the key that tells whether it moved. */
  summary(form: FormState, session: FrameSession) {
    const v = judgeForm(form, session);
    const detail = changeSummary({ complete: v.complete, empty: v.empty, brand: v.brand, error: Object.values(v.errors)[0] }, (code) =>
      this.i18n.t(ERROR_LABELS[code]),
    );
    return { detail, key: JSON.stringify(detail) };
  }

  set(patch: Partial<State>) {
    this.setState((this.s = { ...this.s, ...patch }));
  }

  /** Changes the form; `change` says whether the page hears of it: on input always, else only if the summary moved. */
  update(patch: Partial<FormState>, change: 'always' | 'if-changed' | 'never' = 'if-changed') {
    this.set({ form: { ...this.s.form, ...patch } });
    const session = this.s.session;
    if (!session) return;
    const { detail, key } = this.summary(this.s.form, session);
    const quiet = change === 'never' || (change === 'if-changed' && key === this.lastChange);
    this.lastChange = key;
    if (!quiet) this.props.emit({ type: 'change', detail });
  }

  override async componentDidMount() {
    if (this.first) {
      // Rendered with its session: it is on screen, so the page may hear of it now.
      this.props.onLoad(this.first);
      this.props.onRender?.();
      return;
    }
    // No height is measured here: that would force the page's first layout before the session is
    // even read (the browser's ResizeObserver reports the loading line's height on its own).
    const res = await (this.props.read?.pending ?? this.props.api.session(this.i18n.locale));
    if (this.gone) return;
    const { patch, outcome } = this.loaded(res);
    this.set(patch);
    if (!outcome.ok) this.props.onLoad(outcome);
  }

  override componentDidUpdate(_: AppProps, previous: State) {
    // The session is on screen: only now may the page hear `ready`.
    if (!previous.session && this.state.session) this.props.onLoad({ ok: true });
    this.props.onRender?.();
  }

  override componentWillUnmount() {
    this.gone = true;
    if (this.props.controller.current === this.handlers) this.props.controller.current = undefined;
  }

  focusSoon(selector: string) {
    setTimeout(() => this.root?.querySelector<HTMLElement>(selector)?.focus(), 0);
  }

  consentText(s: FrameSession, view: FormState['view']) {
    // The agreement's wording is the vault's, exactly as it records it for this card: no label replaces it.
    return s.recurring ? ((view === 'saved' ? s.consent_text_saved_card : s.consent_text) ?? '') : this.i18n.t('save');
  }

  /** Back to the form after a failure (or closed for good); the page gets the vault's own error. */
  fail(error: ApiError): ConfirmFailure {
    const label = apiErrorLabel(error);
    if (label === 'errorSession') this.set({ phase: { name: 'unavailable', label, error: failure(error).error } });
    else this.set({ phase: { name: 'form' }, notice: this.i18n.t(label) });
    return failure(error);
  }

  async run(form: FormState, session: FrameSession): Promise<ConfirmResult> {
    const { api } = this.props;
    const body = confirmBody(form, session, this.i18n.locale);
    this.set({ phase: { name: 'processing' }, notice: undefined });
    let res = await api.confirm(body);
    while (res.ok && res.data.status === 'requires_action') {
      const { challenge, url } = res.data.next_action;
      this.set({ phase: { name: 'challenge', id: challenge, url } });
      const status = await new Promise<ThreeDsMessage['status']>((resolve) => (this.challengeDone = resolve));
      if (status === 'failed') return this.fail({ type: 'card_error', code: 'authentication_required', message: '3-D Secure was not passed' });
      this.set({ phase: { name: 'processing' } });
      res = await api.confirm({ ...body, challenge });
    }
    if (!res.ok) return this.fail(res.error);
    // The page's result: the vault's, less what the contract does not name (the BIN, a mandate id).
    // The loop above leaves only a success.
    const { mandate, card, ...rest } = res.data as Extract<FrameConfirmResult, { status: 'succeeded' }>;
    const { bin, ...shown } = card;
    const result: ConfirmSuccess = { ...rest, card: shown };
    // Nothing of the card stays in memory once it has been used.
    this.update({ fields: EMPTY_FIELDS, savedCvc: '' }, 'never');
    this.set({ phase: { name: 'done', result, brand: brandName(card.brand, bin) } });
    return result;
  }

  async confirm(): Promise<ConfirmResult> {
    const { phase, session } = this.s;
    if (phase.name === 'done') return phase.result;
    if (phase.name === 'unavailable') return failure(phase.error);
    if (!session) return NOT_READY;
    if (this.busy) return BUSY;
    this.update({ submitted: true, edited: {} });
    const { blocking } = judgeForm(this.s.form, session);
    if (blocking) return localFailure(blocking, this.s.form, this.i18n.t(ERROR_LABELS[blocking]));
    this.busy = true;
    try {
      return await this.run(this.s.form, session);
    } finally {
      this.busy = false;
    }
  }

  clear() {
    if (this.busy) return;
    this.set({ notice: undefined });
    this.update(clearedForm(this.s.form), 'always');
  }

  /** Focuses the first control that still needs the customer, or else the first control. */
  focus() {
    const { session, form } = this.s;
    if (!session || !this.root) return;
    // As if submitted, every control that still needs input has an error; ids follow the slots.
    const slot = Object.keys(judgeForm({ ...form, submitted: true, focused: undefined }, session).errors)[0];
    const target = slot
      ? this.root.querySelector<HTMLElement>(`#cv-${slot.replace(/C/, '-c')}`)
      : (this.root.querySelector<HTMLElement>('[type=radio]:checked') ?? this.root.querySelector('input'));
    target?.focus();
  }

  onField(patch: Partial<CardFields>) {
    this.set({ notice: undefined });
    const f = this.s.form;
    const edited = { ...f.edited };
    for (const name in patch) edited[name as Control] = true;
    this.update({ fields: { ...f.fields, ...patch }, edited }, 'always');
  }

  onFocus(control: Control) {
    this.update({ focused: control });
  }

  onBlur(control: Control) {
    this.update({ focused: undefined, touched: { ...this.s.form.touched, [control]: true } });
  }

  async onDelete(token: string) {
    const res = await this.props.api.deleteCard(token);
    if (!res.ok) {
      this.fail(res.error);
      return;
    }
    const f = this.s.form;
    const cards = f.cards.filter((c) => c.token !== token);
    const keep = cards.some((c) => c.token === f.selected);
    this.update({ cards, selected: keep ? f.selected : cards[0]?.token, savedCvc: keep ? f.savedCvc : '', view: cards.length ? 'saved' : 'new' }, 'always');
    this.focusSoon(cards.length ? 'input[name="saved-card"]:checked' : '#cv-number');
  }

  // Focus entering or leaving the fields as a whole, not moving between them.
  onFocusIn() {
    if (this.inside) return;
    this.inside = true;
    this.props.emit({ type: 'focus' });
  }

  onFocusOut() {
    setTimeout(() => {
      if (!this.inside || this.root?.contains(document.activeElement)) return;
      this.inside = false;
      this.props.emit({ type: 'blur' });
    }, 0);
  }

  onSubmit(event: Event) {
    event.preventDefault();
    if (this.props.params.submitButton) void this.confirm().then((result) => this.props.emit({ type: 'complete', result }));
  }

  render({ params, vaultOrigin }: AppProps, { phase, form, session, notice }: State) {
    const { i18n } = this;
    const { t } = i18n;
    if (phase.name === 'loading')
      return (
        <p class="cv-status" role="status">
          {t('processing')}
        </p>
      );
    if (phase.name === 'unavailable')
      return (
        <p class="cv-notice cv-notice--error" role="alert">
          {t(phase.label)}
        </p>
      );
    if (phase.name === 'challenge') {
      return <Challenge i18n={i18n} id={phase.id} url={phase.url} vaultOrigin={vaultOrigin} onDone={(status) => this.challengeDone?.(status)} />;
    }
    if (phase.name === 'done') {
      const { card } = phase.result;
      return (
        <p class="cv-done" role="status">
          ✓ <BrandBadge brand={card.brand} name={phase.brand} /> <span class="cv-masked">••••{card.last4}</span>
        </p>
      );
    }
    const s = session!;
    const verdict = judgeForm(form, s);
    const busy = phase.name === 'processing';
    const consent = consentRule(form, s);
    const common = { i18n, state: form, verdict, disabled: busy, onFocus: (c: Control) => this.onFocus(c), onBlur: (c: Control) => this.onBlur(c) };
    const ref = (el: HTMLFormElement | null) => {
      this.root = el;
    };
    return (
      <form
        ref={ref}
        class="cv-form"
        noValidate
        aria-busy={busy}
        onSubmit={(e) => this.onSubmit(e)}
        onFocusIn={() => this.onFocusIn()}
        onFocusOut={() => this.onFocusOut()}
      >
        {form.view === 'saved' ? (
          <SavedCards
            {...common}
            onSelect={(token) => this.update({ selected: token, savedCvc: '', touched: { ...form.touched, savedCvc: false } }, 'always')}
            onCvc={(cvc) => this.update({ savedCvc: cvc, edited: { ...form.edited, savedCvc: true } }, 'always')}
            onDelete={(token) => this.onDelete(token)}
            onNewCard={() => {
              this.update({ view: 'new', submitted: false }, 'always');
              this.focusSoon('#cv-number');
            }}
          />
        ) : (
          <NewCardForm
            {...common}
            onChange={(patch) => this.onField(patch)}
            onUseSaved={form.cards.length ? () => this.update({ view: 'saved', submitted: false }, 'always') : undefined}
          />
        )}
        {consent.shown ? (
          <ConsentBox
            text={this.consentText(s, form.view)}
            checked={form.consent}
            required={consent.required}
            error={verdict.errors.consent ? t('errorConsent') : undefined}
            disabled={busy}
            onChange={(checked) => this.update({ consent: checked }, 'always')}
          />
        ) : null}
        <p class={`cv-notice${notice ? ' cv-notice--error' : ''}`} id="cv-notice" aria-live="polite">
          {notice ?? (busy ? t('processing') : '')}
        </p>
        {params.submitButton ? (
          <SubmitButton
            label={s.mode === 'payment' && s.amount_text ? t('pay', { amount: s.amount_text }) : t('submit')}
            busyLabel={t('processing')}
            busy={busy}
          />
        ) : null}
      </form>
    );
  }
}
