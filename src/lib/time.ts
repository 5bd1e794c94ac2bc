/** Times are stored in UTC and shown in Europe/London. */
const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "30 November 2026 at 9:05am", the GOV.UK style for a date and time. */
export function formatDateTime(value: Date | string): string {
  const date = new Date(value);
  const parts = Object.fromEntries(londonDateTime.formatToParts(date).map((part) => [part.type, part.value]));
  const period = (parts['dayPeriod'] ?? '').toLowerCase().replace(/\s/g, '');
  return `${parts['day']} ${parts['month']} ${parts['year']} at ${parts['hour']}:${parts['minute']}${period}`;
}

/** "30 November 2026". */
export function formatDate(value: Date | string): string {
  return londonDate.format(new Date(value));
}

const londonDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in England, as yyyy-mm-dd: the records' dates are calendar dates where the family lives. */
export function londonToday(now: Date): string {
  return londonDay.format(now);
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

/** The wall-clock time in London at an instant, as [year, month, day, hour, minute]. */
function londonWallClock(instant: number): number[] {
  const parts = Object.fromEntries(
    londonParts.formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  return ['year', 'month', 'day', 'hour', 'minute'].map((name) => Number(parts[name]));
}

/**
 * The instant a London wall-clock time names: `date` yyyy-mm-dd and `time` HH:MM (24-hour). In the
 * hour that happens twice when the clocks go back, the first; a time that never happens (the hour
 * skipped when they go forward) is undefined.
 */
export function londonInstant(date: string, time: string): Date | undefined {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // London is UTC or UTC+1: try the earlier reading first.
  for (const offsetHours of [1, 0]) {
    const candidate = asUtc - offsetHours * 3_600_000;
    const wall = londonWallClock(candidate);
    if (wall.join() === [year, month, day, hour, minute].join()) return new Date(candidate);
  }
  return undefined;
}
