import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineLifecycle, type EventOf, type StatusOf } from './lifecycle.ts';

// A small lifecycle with every feature: a hyphenated status, an event that keeps the status, one
// open to anyone, one for named roles, one for nobody on staff, several initial and final statuses.
// Role lists typed with every role there is (as the capabilities do with Role), so a driver may ask.
type ParcelRole = 'courier' | 'clerk' | 'driver';
const roles = (...names: ParcelRole[]): readonly ParcelRole[] => names;
const parcel = defineLifecycle({
  name: 'Parcel',
  statuses: ['packed', 'in-transit', 'delivered', 'returned', 'lost'],
  initial: ['packed'],
  events: {
    dispatch: { from: ['packed'], to: 'in-transit', roles: roles('courier', 'clerk') },
    scan: { from: ['packed', 'in-transit'], to: 'unchanged' },
    note: { from: ['in-transit'], to: 'unchanged', roles: roles('clerk') },
    deliver: { from: ['in-transit'], to: 'delivered', roles: roles('courier') },
    return: { from: ['in-transit', 'delivered'], to: 'returned', roles: roles('clerk') },
    'write-off': { from: ['in-transit'], to: 'lost', roles: roles() },
  },
});

describe('a lifecycle', () => {
  it('gives the status after an event the table allows', () => {
    expect(parcel.next('packed', 'dispatch')).toBe('in-transit');
    expect(parcel.next('in-transit', 'deliver')).toBe('delivered');
    expect(parcel.next('delivered', 'return')).toBe('returned');
  });

  it('refuses an event the table does not allow from that status', () => {
    expect(parcel.next('packed', 'deliver')).toBeUndefined();
    expect(parcel.next('delivered', 'dispatch')).toBeUndefined();
    expect(parcel.can('returned', 'scan')).toBe(false);
  });

  it('keeps the status for an event that leads to "unchanged"', () => {
    expect(parcel.next('packed', 'scan')).toBe('packed');
    expect(parcel.next('in-transit', 'scan')).toBe('in-transit');
    expect(parcel.next('delivered', 'scan')).toBeUndefined();
  });

  it('refuses names from outside the table, even ones every object has', () => {
    const status = (value: string) => value as StatusOf<typeof parcel>;
    const event = (value: string) => value as EventOf<typeof parcel>;
    expect(parcel.next(status('opened'), 'scan')).toBeUndefined();
    expect(parcel.next('packed', event('toString'))).toBeUndefined();
    expect(parcel.next('packed', event('__proto__'))).toBeUndefined();
    expect(parcel.can('packed', event('constructor'))).toBe(false);
    expect(parcel.isFinal(status('opened'))).toBe(false);
  });

  it('checks roles only when given them: one role in common is enough', () => {
    expect(parcel.can('packed', 'dispatch')).toBe(true);
    expect(parcel.can('packed', 'dispatch', ['courier'])).toBe(true);
    expect(parcel.can('packed', 'dispatch', ['driver', 'clerk'])).toBe(true);
    expect(parcel.can('packed', 'dispatch', ['driver'])).toBe(false);
    expect(parcel.can('packed', 'dispatch', [])).toBe(false);
    expect(parcel.can('in-transit', 'deliver', ['clerk'])).toBe(false);
  });

  it('lets anyone cause an event that names no roles, and no one on staff one that names none', () => {
    expect(parcel.can('packed', 'scan', ['driver'])).toBe(true);
    expect(parcel.can('packed', 'scan', [])).toBe(true);
    expect(parcel.can('in-transit', 'write-off', ['clerk', 'courier'])).toBe(false);
    // Safeshare's own jobs ask without roles.
    expect(parcel.can('in-transit', 'write-off')).toBe(true);
  });

  it('never lets a role cause an event the status does not allow', () => {
    expect(parcel.can('delivered', 'deliver', ['courier'])).toBe(false);
  });

  it('lists the events possible from a status in the order declared', () => {
    expect(parcel.eventsFrom('packed')).toEqual(['dispatch', 'scan']);
    expect(parcel.eventsFrom('in-transit')).toEqual(['scan', 'note', 'deliver', 'return', 'write-off']);
    expect(parcel.eventsFrom('lost')).toEqual([]);
  });

  it('calls a status final when no event may happen in it', () => {
    expect(parcel.statuses.filter((status) => parcel.isFinal(status))).toEqual(['returned', 'lost']);
    expect(parcel.isFinal('delivered')).toBe(false);
  });

  it('draws a Mermaid state diagram: hyphens renamed, one arrow per pair of statuses, start and final states', () => {
    expect(parcel.mermaid()).toBe(
      [
        'stateDiagram-v2',
        '  state "in-transit" as in_transit',
        '  [*] --> packed',
        '  packed --> in_transit : dispatch',
        '  packed --> packed : scan',
        '  in_transit --> in_transit : scan, note',
        '  in_transit --> delivered : deliver',
        '  in_transit --> returned : return',
        '  in_transit --> lost : write-off',
        '  delivered --> returned : return',
        '  returned --> [*]',
        '  lost --> [*]',
        '',
      ].join('\n'),
    );
  });

  it('draws no start arrow when no initial status is declared', () => {
    const door = defineLifecycle({
      name: 'Door',
      statuses: ['open', 'shut'],
      events: { close: { from: ['open'], to: 'shut' } },
    });
    expect(door.mermaid()).toBe('stateDiagram-v2\n  open --> shut : close\n  shut --> [*]\n');
  });
});

describe('a lifecycle definition that contradicts itself', () => {
  // Casts stand in for JavaScript callers and widened strings: the types refuse all of these.
  const statuses = (...values: string[]) => values as ['a', 'b'];

  it('is refused when it loads, naming the problem', () => {
    expect(() => defineLifecycle({ name: 'X', statuses: statuses('a', 'a'), events: {} })).toThrow(
      /listed twice/,
    );
    expect(() => defineLifecycle({ name: 'X', statuses: statuses('a', 'unchanged'), events: {} })).toThrow(
      /reserved/,
    );
    expect(() => defineLifecycle({ name: 'X', statuses: statuses('a', 'b c'), events: {} })).toThrow(
      /"b c" is not a name/,
    );
    expect(() => defineLifecycle({ name: 'X', statuses: statuses('a-b', 'a_b'), events: {} })).toThrow(
      /share the diagram id "a_b"/,
    );
    expect(() => defineLifecycle({ name: 'X', statuses: statuses(), events: {} })).toThrow(/no statuses/);
    expect(() =>
      defineLifecycle({ name: 'X', statuses: ['a', 'b'], events: { go: { from: [], to: 'b' } } }),
    ).toThrow(/"go" can happen in no status/);
    expect(() =>
      defineLifecycle({ name: 'X', statuses: ['a', 'b'], events: { go: { from: statuses('c'), to: 'b' } } }),
    ).toThrow(/starts from "c"/);
    expect(() =>
      defineLifecycle({ name: 'X', statuses: ['a', 'b'], events: { go: { from: ['a'], to: 'c' as 'b' } } }),
    ).toThrow(/leads to "c"/);
    expect(() =>
      defineLifecycle({ name: 'X', statuses: ['a', 'b'], initial: statuses('c'), events: {} }),
    ).toThrow(/initial status "c"/);
  });
});

// Type-level checks: tsc fails if any line marked @ts-expect-error compiles. Never called.
export function typeChecks(): void {
  const door = defineLifecycle({
    name: 'Door',
    statuses: ['open', 'shut'],
    events: { close: { from: ['open'], to: 'shut', roles: ['porter'] } },
  });
  door.next('open', 'close');
  // @ts-expect-error -- an unknown status
  door.next('ajar', 'close');
  // @ts-expect-error -- an unknown event
  door.next('open', 'slam');
  // @ts-expect-error -- an unknown role, for a lifecycle whose roles are inferred from its table
  door.can('open', 'close', ['burglar']);
  defineLifecycle({
    name: 'Door',
    statuses: ['open', 'shut'],
    // @ts-expect-error -- a transition from a status the lifecycle does not have
    events: { close: { from: ['ajar'], to: 'shut' } },
  });
  defineLifecycle({
    name: 'Door',
    statuses: ['open', 'shut'],
    // @ts-expect-error -- a transition to a status the lifecycle does not have
    events: { close: { from: ['open'], to: 'locked' } },
  });
  // @ts-expect-error -- an initial status the lifecycle does not have
  defineLifecycle({ name: 'Door', statuses: ['open', 'shut'], initial: ['ajar'], events: {} });
}

describe('any lifecycle (property)', () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
  const definition = fc
    .uniqueArray(
      name.filter((value) => value !== 'unchanged'),
      { minLength: 1, maxLength: 6, selector: (value) => value.replace(/-/g, '_') },
    )
    .chain((statuses) =>
      fc.record({
        statuses: fc.constant(statuses),
        initial: fc.subarray(statuses),
        events: fc.uniqueArray(
          fc.tuple(name, fc.subarray(statuses, { minLength: 1 }), fc.constantFrom(...statuses, 'unchanged')),
          { maxLength: 6, selector: ([event]) => event },
        ),
      }),
    );

  it('never leads to a status outside its list, whatever status and event it is asked about', () => {
    fc.assert(
      fc.property(
        definition,
        fc.string(),
        fc.string(),
        fc.nat(),
        fc.nat(),
        (generated, strayStatus, strayEvent, statusIndex, eventIndex) => {
          const lifecycle = defineLifecycle<string, string>({
            name: 'Generated',
            statuses: generated.statuses,
            initial: generated.initial,
            events: Object.fromEntries(generated.events.map(([event, from, to]) => [event, { from, to }])),
          });
          const statuses = [...generated.statuses, strayStatus];
          const events = [...generated.events.map(([event]) => event), strayEvent];
          const status = statuses[statusIndex % statuses.length] ?? strayStatus;
          const event = events[eventIndex % events.length] ?? strayEvent;
          const after = lifecycle.next(status, event);
          expect(after === undefined || generated.statuses.includes(after)).toBe(true);
          expect(lifecycle.eventsFrom(status).includes(event)).toBe(after !== undefined);
          for (const known of generated.statuses) {
            for (const possible of lifecycle.eventsFrom(known))
              expect(generated.statuses).toContain(lifecycle.next(known, possible));
          }
        },
      ),
    );
  });
});
