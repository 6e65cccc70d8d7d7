// What @mixer/postmessage-rpc uses of eventemitter3 (it extends its EventEmitter and calls on, emit
// and listeners), for the browser bundles: rollup.config.mjs puts this module in eventemitter3's place,
// which saves about half a kilobyte of gzip in checkout.js and in frame.js each. Node and the unit tests
// keep the real eventemitter3.
//
// A constructor function, not a class: the library's compiled subclass calls it as `_super.call(this)`,
// which an ES class refuses.
type Handler = (...args: unknown[]) => void;

export interface EventEmitter {
  on(event: string, handler: Handler): this;
  listeners(event: string): Handler[];
  emit(event: string, ...args: unknown[]): boolean;
  removeAllListeners(): this;
}

interface State {
  _handlers: Record<string, Handler[]>;
}

export const EventEmitter = function (this: State) {
  this._handlers = {};
} as unknown as { new (): EventEmitter; prototype: EventEmitter };

Object.assign(EventEmitter.prototype, {
  on(this: State & EventEmitter, event: string, handler: Handler) {
    (this._handlers[event] ??= []).push(handler);
    return this;
  },
  listeners(this: State, event: string) {
    return [...(this._handlers[event] ?? [])];
  },
  emit(this: State, event: string, ...args: unknown[]) {
    const list = this._handlers[event];
    if (!list?.length) return false;
    for (const handler of [...list]) handler.apply(this, args);
    return true;
  },
  removeAllListeners(this: State & EventEmitter) {
    this._handlers = {};
    return this;
  },
});
