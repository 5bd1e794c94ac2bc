/** Times are stored in UTC and shown in Europe/London. */
const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  // h12: 12:49pm, not 0:49pm (en-GB with hour12 counts from 0).
  hourCycle: 'h12',
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

/** The London date last worked out, and the UTC hour it holds for. */
let today = { hour: Number.NaN, date: '' };

/** Today's date in England, as yyyy-mm-dd: the records' dates are calendar dates where the family lives. */
export function londonToday(now: Date): string {
  // London is a whole number of hours from UTC, so its date changes only on a UTC hour: the date is
  // worked out once an hour rather than at every call (a disclosure asks several times).
  const hour = Math.floor(now.getTime() / 3_600_000);
  if (hour !== today.hour) today = { hour, date: londonDay.format(now) };
  return today.date;
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

/** Adds working days (Monday to Friday) to a calendar date, yyyy-mm-dd. Bank holidays are not counted out. */
export function addWorkingDays(from: string, days: number): string {
  const date = new Date(`${from}T12:00:00Z`);
  let added = 0;
  while (added < days) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) added += 1;
  }
  return date.toISOString().slice(0, 10);
}

/**
 * The same London wall-clock time so many working days after an instant: an approval due "within
 * one working day" of Friday 16:40 is due Monday 16:40. (A time the clocks skip moves an hour on.)
 */
export function addLondonWorkingDays(from: Date, days: number): Date {
  const [, , , hour = 0, minute = 0] = londonWallClock(from.getTime());
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const date = addWorkingDays(londonToday(from), days);
  const skipped = `${String(hour + 1).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return londonInstant(date, time) ?? londonInstant(date, skipped) ?? from;
}
