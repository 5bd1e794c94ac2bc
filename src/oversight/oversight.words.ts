import { isChannelMethodId, methodName } from '../channels/index.ts';

/** How the oversight pages put counts, months, methods and reasons into words. */
interface Counted {
  readonly key: string;
  readonly label: string;
  readonly count: number;
}

const basisWords: Readonly<Record<string, string>> = {
  role: 'Their role covers every record',
  allocated: 'Allocated to them',
  team: 'Allocated to someone they line-manage',
  'family-member': 'A family member of someone allocated to them',
  'break-glass': 'A reason they recorded',
};

export function accessReasonText(reason: string | null): string {
  if (reason === null) return 'None recorded';
  return basisWords[reason] ?? reason;
}

export function peopleText(count: number, ids: readonly string[], names: Map<string, string> | null): string {
  if (names === null) return counted(count, 'person', 'people');
  const named = ids.map((id) => names.get(id) ?? 'Unknown person');
  const rest = count - named.length;
  return rest > 0 ? `${named.join(', ')} and ${counted(rest, 'other', 'others')}` : named.join(', ');
}

export function words(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

function counted(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

/** "secure e-mail" -> "Secure e-mail"; "the telephone" -> "Telephone": a method as a chart or column names it. */
export function methodLabel(method: string): string {
  const name = (isChannelMethodId(method) ? methodName(method) : method).replace(/^the /, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function sorted<T extends Counted>(rows: T[]): T[] {
  return rows.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** Every month from the one `from` falls in to the one `to` falls in, as yyyy-mm. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const [lastYear, lastMonth] = to.split('-').map(Number) as [number, number];
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    months.push(`${String(year)}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function monthLabel(month: string): string {
  const [year, number] = month.split('-');
  return `${monthNames[Number(number) - 1] ?? number ?? ''} ${year ?? ''}`;
}
