// The fields' calls to the vault's own /frame/v1 endpoints. Every call resolves to data or to the
// contract's error shape; nothing here throws to the UI. This is the only place card data leaves
// the iframe, and only to POST /frame/v1/confirm on the vault's origin, in the body.
import { TEST_MODE_LIVE_CARD, type ApiErrorBody, type ReceivedErrorBody } from '../protocol/errors.ts';
import { MAX_LOCALE_LIST } from '../protocol/languages.ts';
import type { Locale } from '../protocol/messages.ts';
import {
  type CardDeleted,
  type FrameChallengeAnswer,
  type FrameChallengeResult,
  type FrameConfirm,
  type FrameConfirmResult,
  type FrameDeleteCard,
  type FrameSession,
  type FrameSessionRequest,
  HOST_ORIGIN_HEADER,
} from '../protocol/types.ts';
import { pickLocale } from './i18n.ts';

/**
 * The part of the contract's error body the fields keep: no processor detail, and of the decline codes
 * only the vault's own refusal of a real card in test mode, which the fields explain. The page gets
 * less still (ConfirmFailure).
 */
export type ApiError = Pick<ReceivedErrorBody, 'type' | 'code' | 'message' | 'param'> & { decline_code?: typeof TEST_MODE_LIVE_CARD };

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export interface FrameApi {
  /** The open session, with a recurring agreement's wording written in `locale`. */
  session(locale: Locale): Promise<ApiResult<FrameSession>>;
  confirm(body: FrameConfirm): Promise<ApiResult<FrameConfirmResult>>;
  deleteCard(token: string): Promise<ApiResult<CardDeleted>>;
  answerChallenge(id: string, code: string): Promise<ApiResult<FrameChallengeResult>>;
}

export interface ApiClientOptions {
  /** The vault's public URL (the fields' own origin). */
  vault: string;
  clientSecret: string;
  hostOrigin: string;
  /**
   * A session read already under way, which the page's inline script started with the page's list of
   * languages: the first session() call takes it if the vault answers it in that call's language (asksFor).
   */
  early?: { locale: unknown; answer: Promise<Answer> };
}

/** A response read to its end: whether its status was a success, and its JSON body or that it had none. */
export interface Answer {
  ok: boolean;
  body?: unknown;
  malformed?: boolean;
}

/** What the fields send: each endpoint's request body as the contract declares it. */
type RequestBody = FrameSessionRequest | FrameConfirm | FrameDeleteCard | FrameChallengeAnswer;

const UNREACHABLE: ApiError = { type: 'api_error', code: 'processor_unavailable', message: 'The vault could not be reached' };
const MALFORMED: ApiError = { type: 'api_error', code: 'internal', message: 'Unexpected answer from the vault' };

function errorOf(body: unknown): ApiError {
  const e = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (!e || typeof e.type !== 'string' || typeof e.code !== 'string') return MALFORMED;
  return {
    type: e.type,
    code: e.code,
    message: String(e.message),
    ...(typeof e.param === 'string' ? { param: e.param } : {}),
    ...(e.decline_code === TEST_MODE_LIVE_CARD ? { decline_code: TEST_MODE_LIVE_CARD } : {}),
  };
}

/**
 * Whether the early read, sent with the page's own `locale` (checkout.js's list, such as `fr,en-US`),
 * gets the answer a read in `locale` would: the vault writes the wording in the list's first language
 * it speaks, else English, as pickLocale chose `locale`. An absent or unreadable list answers otherwise
 * (the customer's language, or an error), so that read is not taken.
 */
const asksFor = (list: unknown, locale: Locale) => typeof list === 'string' && list.length <= MAX_LOCALE_LIST && pickLocale(list) === locale;

export function createApiClient(options: ApiClientOptions): FrameApi {
  const base = options.vault.replace(/\/+$/, '');

  let early = options.early;

  const send = (path: string, body: RequestBody) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${options.clientSecret}`,
        [HOST_ORIGIN_HEADER]: options.hostOrigin,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  // Rejects only when the vault could not be reached; boot-script.ts reads its early answer the same way.
  const answerOf = (sent: Promise<Response>): Promise<Answer> =>
    sent.then((res) =>
      res.json().then(
        (body: unknown) => ({ ok: res.ok, body }),
        () => ({ ok: res.ok, malformed: true }),
      ),
    );

  async function read<T>(pending: Promise<Answer>): Promise<ApiResult<T>> {
    let answer: Answer;
    try {
      answer = await pending;
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
    if (answer.malformed) return { ok: false, error: MALFORMED };
    return answer.ok ? { ok: true, data: answer.body as T } : { ok: false, error: errorOf(answer.body) };
  }

  const post = <T>(path: string, body: RequestBody) => read<T>(answerOf(send(path, body)));

  return {
    session(locale) {
      const taken = early && asksFor(early.locale, locale) ? early.answer : undefined;
      early = undefined;
      return read(taken ?? answerOf(send('/frame/v1/session', { locale } satisfies FrameSessionRequest)));
    },
    confirm: (body) => post('/frame/v1/confirm', body),
    deleteCard: (token) => post('/frame/v1/cards/delete', { token } satisfies FrameDeleteCard),
    answerChallenge: (id, code) => post(`/frame/v1/challenges/${encodeURIComponent(id)}`, { code } satisfies FrameChallengeAnswer),
  };
}
