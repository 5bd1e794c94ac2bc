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
