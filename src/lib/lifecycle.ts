/**
 * One shape for every status lifecycle (decisions, consent, and those to come): a typed table of
 * events, each naming the statuses it may happen in, the status it leads to, and who may cause it.
 * The helpers and the diagram in docs/lifecycles.md are read from the same table, so they cannot
 * disagree. No domain knowledge here: roles are whatever string type the definition uses.
 */

/** An event's `to` when it changes dates or notes but not the status (a consent review). */
export const unchanged = 'unchanged';

export interface LifecycleEvent<S extends string, R extends string> {
  /** The statuses the event may happen in. */
  readonly from: readonly S[];
  /** The status afterwards, or `unchanged` to keep the current one. */
  readonly to: S | typeof unchanged;
  /**
   * Who may cause it, if the lifecycle says. Absent: no rule here. Empty: no member of staff, only
   * Safeshare itself (a scheduled job), which asks `can` without roles.
   */
  readonly roles?: readonly R[];
  /** What the service checks beyond `roles` (only the author, only the approver named): shown in docs/lifecycles.md. */
  readonly note?: string;
}

export interface LifecycleDefinition<S extends string, E extends string, R extends string> {
  /** What the lifecycle is of, as a heading: "Sharing decision". */
  readonly name: string;
  readonly statuses: readonly S[];
  /** The statuses a new record may start in (drawn as `[*] --> status`). */
  readonly initial?: readonly NoInfer<S>[];
  readonly events: { readonly [K in E]: LifecycleEvent<NoInfer<S>, R> };
}

export interface Lifecycle<S extends string, E extends string, R extends string> {
  readonly name: string;
  readonly statuses: readonly S[];
  readonly initial: readonly S[];
  /** Event names in the order they were declared. */
  readonly eventNames: readonly E[];
  readonly events: { readonly [K in E]: LifecycleEvent<S, R> };
  /** The status after `event`, or undefined when the event may not happen in `status`. */
  next(status: S, event: E): S | undefined;
  /** Whether `event` may happen in `status`, and, given the roles someone holds, whether one of them may cause it. */
  can(status: S, event: E, roles?: readonly R[]): boolean;
  /** The events that may happen in `status`, in declaration order. */
  eventsFrom(status: S): readonly E[];
  /** A final status: no event may happen in it. */
  isFinal(status: S): boolean;
  /** The lifecycle as a Mermaid `stateDiagram-v2`. */
  mermaid(): string;
}

export type StatusOf<L> = L extends Lifecycle<infer S, string, string> ? S : never;
export type EventOf<L> = L extends Lifecycle<string, infer E, string> ? E : never;

/**
 * Declares a lifecycle. Status and event names are inferred as literal unions, so an unknown one
 * is a type error at every call; a definition that contradicts itself throws at module load.
 */
export function defineLifecycle<const S extends string, const E extends string, R extends string = string>(
  definition: LifecycleDefinition<S, E, R>,
): Lifecycle<S, E, R> {
  const { name, statuses, events } = definition;
  const initial = definition.initial ?? [];
  // Object.keys keeps declaration order for string keys; the cast is sound because `events` is keyed by E.
  const eventNames = Object.keys(events) as E[];
  check(definition, eventNames);

  const known = (status: string): status is S => (statuses as readonly string[]).includes(status);
  // An own-property check, so that an event name arriving from outside ("toString") is no event.
  const rule = (event: string): LifecycleEvent<S, R> | undefined =>
    Object.hasOwn(events, event) ? events[event as E] : undefined;

  function next(status: S, event: E): S | undefined {
    const found = rule(event);
    if (found === undefined || !known(status) || !found.from.includes(status)) return undefined;
    return found.to === unchanged ? status : found.to;
  }

  function can(status: S, event: E, roles?: readonly R[]): boolean {
    if (next(status, event) === undefined) return false;
    const allowed = rule(event)?.roles;
    if (roles === undefined || allowed === undefined) return true;
    return roles.some((role) => allowed.includes(role));
  }

  function eventsFrom(status: S): readonly E[] {
    return eventNames.filter((event) => next(status, event) !== undefined);
  }

  function isFinal(status: S): boolean {
    return known(status) && eventsFrom(status).length === 0;
  }

  function mermaid(): string {
    const ids = mermaidIds(statuses);
    const id = (status: S): string => ids.get(status) ?? status;
    const lines = ['stateDiagram-v2'];
    for (const status of statuses) {
      if (id(status) !== status) lines.push(`  state "${status}" as ${id(status)}`);
    }
    for (const status of initial) lines.push(`  [*] --> ${id(status)}`);
    for (const from of statuses) {
      // Events between the same two statuses share one arrow, so labels never sit on top of each other.
      const labels = new Map<S, E[]>();
      for (const event of eventsFrom(from)) {
        const to = next(from, event) ?? from;
        labels.set(to, [...(labels.get(to) ?? []), event]);
      }
      for (const [to, names] of labels) lines.push(`  ${id(from)} --> ${id(to)} : ${names.join(', ')}`);
    }
    for (const status of statuses) {
      if (isFinal(status)) lines.push(`  ${id(status)} --> [*]`);
    }
    return `${lines.join('\n')}\n`;
  }

  return { name, statuses, initial, eventNames, events, next, can, eventsFrom, isFinal, mermaid };
}

/** Mermaid state ids allow no hyphen, colon, brace or space: such a status is drawn under an id with underscores. */
function mermaidIds<S extends string>(statuses: readonly S[]): Map<S, string> {
  const ids = new Map<S, string>();
  const taken = new Map<string, S>();
  for (const status of statuses) {
    const id = status.replace(/[^A-Za-z0-9_]/g, '_');
    const other = taken.get(id);
    if (other !== undefined)
      throw new Error(`Statuses "${other}" and "${status}" would share the diagram id "${id}"`);
    taken.set(id, status);
    ids.set(status, id);
  }
  return ids;
}

const namePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The mistakes types cannot catch (a cast, a duplicate, an event that can never happen). */
function check<S extends string, E extends string, R extends string>(
  definition: LifecycleDefinition<S, E, R>,
  eventNames: readonly E[],
): void {
  const { name, statuses, events } = definition;
  const fail = (problem: string): never => {
    throw new Error(`Lifecycle "${name}": ${problem}`);
  };
  if (statuses.length === 0) fail('it has no statuses');
  // Names are stored in the database and drawn in diagrams, so they stay plain identifiers.
  for (const word of [...statuses, ...eventNames]) {
    if (!namePattern.test(word))
      fail(`"${word}" is not a name: use letters, digits, "-" and "_", starting with a letter`);
  }
  if (new Set(statuses).size !== statuses.length) fail('a status is listed twice');
  if ((statuses as readonly string[]).includes(unchanged))
    fail(`"${unchanged}" is reserved for events that keep the status`);
  const known = (status: string) => (statuses as readonly string[]).includes(status);
  for (const status of definition.initial ?? []) {
    if (!known(status)) fail(`initial status "${status}" is not one of its statuses`);
  }
  for (const event of eventNames) {
    const { from, to } = events[event];
    if (from.length === 0) fail(`event "${event}" can happen in no status`);
    for (const status of from) {
      if (!known(status)) fail(`event "${event}" starts from "${status}", which is not one of its statuses`);
    }
    if (to !== unchanged && !known(to))
      fail(`event "${event}" leads to "${to}", which is not one of its statuses`);
  }
  mermaidIds(statuses);
}
