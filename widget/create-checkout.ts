// Checkout(pk) and mount(): the public JavaScript API of the fields.
import type { ConfirmFailure, ConfirmResult, FrameEvent, Locale } from '../protocol/messages.ts';
import { connectFrame, type FrameRpc } from './frame-rpc.ts';
import { composeFrameUrl, createFrame, resizeFrame } from './mount-frame.ts';
import type { CheckoutInstance, CheckoutOptions, Fields, FieldsEvents, MountOptions } from './types.ts';

const failed = (code: string, message: string, type = 'invalid_request_error'): ConfirmFailure => ({ status: 'failed', error: { type, code, message } });

function mount(vault: string, publishableKey: string, target: string | HTMLElement, options: MountOptions): Fields {
  const container = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
  if (!container) throw new Error(`Checkout: no element matches ${String(target)}`);
  if (!options || !/^cs_[A-Za-z0-9]+_secret_[A-Za-z0-9_-]+$/.test(options.clientSecret ?? '')) {
    throw new Error('Checkout: mount() needs the clientSecret of a session your server created');
  }
  const handlers: { [E in keyof FieldsEvents]?: Set<FieldsEvents[E]> } = {};
  const emit = <E extends keyof FieldsEvents>(event: E, ...args: Parameters<FieldsEvents[E]>) => {
    for (const h of handlers[event] ?? []) (h as (...a: unknown[]) => void)(...args);
  };
  let destroyed = false;
  // Settles once: undefined when the fields are ready, or the failure every confirm() then answers.
  let settle: (failure?: ConfirmFailure) => void;
  const ready = new Promise<ConfirmFailure | undefined>((resolve) => (settle = resolve));
  let failure: ConfirmFailure | undefined;
  const fail = (error: ConfirmFailure['error']) => {
    if (failure || destroyed) return;
    failure = { status: 'failed', error };
    settle(failure);
    emit('error', error);
  };

  // What the page asked for, then the browser's language: the vault takes the first it speaks (it,
  // not checkout.js, knows its languages, so a language added to the vault needs no new script).
  const locale = [options.locale, navigator.language].filter(Boolean).join(',') as Locale;
  const frame = createFrame(composeFrameUrl(vault, publishableKey, location.origin, locale), options.title ?? 'Secure card payment');
  const rpc: FrameRpc = connectFrame({
    frame,
    origin: vault,
    init: () => ({
      clientSecret: options.clientSecret,
      locale,
      // Whatever the page passed (null included): the fields check each value, and adjust colours that would not read.
      appearance: options.appearance && typeof options.appearance === 'object' ? options.appearance : {},
      labels: options.labels ?? {},
      submitButton: Boolean(options.submitButton),
    }),
    onEvent: (event: FrameEvent) => {
      if (destroyed) return;
      switch (event.type) {
        case 'ready':
          settle();
          emit('ready');
          break;
        case 'error':
          fail(event.error);
          break;
        case 'change':
          emit('change', event.detail);
          break;
        case 'focus':
        case 'blur':
          emit(event.type);
          break;
        case 'resize':
          resizeFrame(frame, event.height);
          break;
        case 'complete':
          options.onComplete?.(event.result);
          break;
      }
    },
    onUnreachable: () =>
      fail({
        type: 'api_error',
        code: 'fields_unavailable',
        message: `The payment fields could not load: is ${location.origin} among the merchant's allowed origins, and is the vault reachable?`,
      }),
  });
  container.appendChild(frame);

  const fields: Fields = {
    on(event, handler) {
      (handlers[event] ??= new Set() as never).add(handler as never);
      return fields;
    },
    off(event, handler) {
      handlers[event]?.delete(handler as never);
      return fields;
    },
    async confirm(): Promise<ConfirmResult> {
      if (destroyed) return failed('fields_destroyed', 'These fields were destroyed');
      const failure = await ready;
      if (failure) return failure;
      try {
        return (await rpc.call('confirm', {})) as ConfirmResult;
      } catch {
        return failed('internal', 'The payment fields did not answer', 'api_error');
      }
    },
    clear() {
      if (!destroyed) void ready.then((failure) => (failure ? undefined : rpc.call('clear', {}))).catch(() => undefined);
    },
    focus() {
      if (!destroyed) void ready.then((failure) => (failure ? undefined : rpc.call('focus', {}))).catch(() => undefined);
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      rpc.destroy();
      frame.remove();
      for (const set of Object.values(handlers)) set?.clear();
    },
  };
  return fields;
}

/** Builds `Checkout(pk)` for a build that knows (or not) where it was loaded from. */
export function createCheckout(defaultVault: string | undefined) {
  return function Checkout(publishableKey: string, options: CheckoutOptions = {}): CheckoutInstance {
    if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
      throw new Error('Checkout: pass your publishable key (pk_…); a secret key must never be in a page');
    }
    const vault = options.vault ? new URL(options.vault).origin : defaultVault;
    if (!vault) throw new Error('Checkout: cannot tell the vault\'s address; pass Checkout(pk, { vault: "https://…" })');
    return { mount: (target, mountOptions) => mount(vault, publishableKey, target, mountOptions) };
  };
}
