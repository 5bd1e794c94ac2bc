/**
 * CSV as spreadsheets read it (RFC 4180): every cell quoted, quotes doubled, lines ended CRLF. A cell
 * that starts with = + - @ (or a tab or carriage return) is prefixed with an apostrophe, so that a
 * spreadsheet shows it as text and never runs it as a formula (CSV injection, OWASP).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** Rows of cells as one CSV document, a header row first. */
export function csvDocument(
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
