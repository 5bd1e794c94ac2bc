/**
 * The 72-hour clock of UK GDPR Article 33: a personal data breach that must be reported is reported
 * to the Information Commissioner's Office within 72 hours of the organisation becoming aware of it.
 * Hours are real hours: instants are UTC, so the clock changes in March and October neither add nor
 * take away an hour (the deadline shown in London time moves with them).
 */

const hour = 3_600_000;
export const reportWithinHours = 72;
/** When the clock's reminders are sent, in hours after awareness. */
export const reminderHours = [24, 48, 66] as const;

export function deadlineOf(awareAt: Date): Date {
  return new Date(awareAt.getTime() + reportWithinHours * hour);
}

export interface ClockReading {
  readonly deadline: Date;
  /** Whole minutes left before the deadline; negative once it has passed. */
  readonly minutesLeft: number;
  readonly overdue: boolean;
  /** "41 hours 5 minutes left", "Overdue by 3 hours 10 minutes". */
  readonly text: string;
}

function hoursAndMinutes(totalMinutes: number): string {
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const parts = [
    ...(hours > 0 ? [`${String(hours)} ${hours === 1 ? 'hour' : 'hours'}`] : []),
    `${String(minutes)} ${minutes === 1 ? 'minute' : 'minutes'}`,
  ];
  return parts.join(' ');
}

/** Where the clock stands at `now`: the deadline is the instant 72 hours after awareness. */
export function readClock(awareAt: Date, now: Date): ClockReading {
  const deadline = deadlineOf(awareAt);
  const millisecondsLeft = deadline.getTime() - now.getTime();
  const overdue = millisecondsLeft < 0;
  const minutesLeft = overdue
    ? -Math.ceil(-millisecondsLeft / 60_000)
    : Math.floor(millisecondsLeft / 60_000);
  return {
    deadline,
    minutesLeft,
    overdue,
    text: overdue ? `Overdue by ${hoursAndMinutes(-minutesLeft)}` : `${hoursAndMinutes(minutesLeft)} left`,
  };
}

/** How many of the clock's reminders are due by `now` (0 to 3). */
export function remindersDue(awareAt: Date, now: Date): number {
  const hoursSince = (now.getTime() - awareAt.getTime()) / hour;
  return reminderHours.filter((threshold) => hoursSince >= threshold).length;
}
