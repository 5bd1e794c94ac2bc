/** The source of "now". Services take a clock so tests can move time without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #current: number;

  constructor(start: Date | string = '2026-11-30T09:00:00Z') {
    this.#current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#current);
  }

  advance(milliseconds: number): void {
    this.#current += milliseconds;
  }

  set(to: Date | string): void {
    this.#current = new Date(to).getTime();
  }
}
