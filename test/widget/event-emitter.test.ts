// The browser bundles' stand-in for eventemitter3 behaves as the RPC relies on: handlers in the order
// added, called with the emitter as `this` and every argument, `emit` saying whether anyone heard.
import EventEmitter3 from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { EventEmitter } from '../../widget/event-emitter.ts';

describe.each([
  ['widget/event-emitter.ts', () => new EventEmitter()],
  ['eventemitter3 (the reference)', () => new EventEmitter3() as unknown as EventEmitter],
])('%s', (_name, make) => {
  it('calls the handlers of an event in the order they were added, with every argument', () => {
    const e = make();
    const heard: unknown[] = [];
    e.on('method', (a, b) => heard.push(['first', a, b]));
    e.on('method', function (this: unknown, a) {
      heard.push(['second', a, this === e]);
    });
    expect(e.emit('method', 1, 2)).toBe(true);
    expect(heard).toEqual([
      ['first', 1, 2],
      ['second', 1, true],
    ]);
  });

  it('says when nobody listens, and lists the listeners of one event only', () => {
    const e = make();
    expect(e.emit('nobody')).toBe(false);
    const handler = () => {};
    e.on('a', handler);
    expect(e.listeners('a')).toEqual([handler]);
    expect(e.listeners('b')).toEqual([]);
    // A copy: changing it changes nothing.
    e.listeners('a').pop();
    expect(e.listeners('a')).toHaveLength(1);
  });

  it('does not call a handler added while the event is being emitted, and forgets all on removeAllListeners', () => {
    const e = make();
    let late = 0;
    e.on('x', () => e.on('x', () => late++));
    e.emit('x');
    expect(late).toBe(0);
    e.emit('x');
    expect(late).toBe(1);
    e.removeAllListeners();
    expect(e.emit('x')).toBe(false);
  });
});

describe('widget/event-emitter.ts as a base of compiled ES5 subclasses', () => {
  it('can be called as `_super.call(this)`, the way @mixer/postmessage-rpc extends it', () => {
    function Sub(this: EventEmitter) {
      (EventEmitter as unknown as (this: unknown) => void).call(this);
    }
    Sub.prototype = Object.create(EventEmitter.prototype);
    const sub = new (Sub as unknown as new () => EventEmitter)();
    let heard = 0;
    sub.on('x', () => heard++);
    expect(sub.emit('x')).toBe(true);
    expect(heard).toBe(1);
  });
});
