/**
 * The one rule for free text that people type, on pages and over the API alike (invariant 8: bad
 * input gets a clear error and changes nothing). Text must be valid Unicode, carry no control
 * characters (a multi-line answer may have line breaks and tabs), and no `<` or `>`: stored text is
 * shown in pages, letters and exports, and PostgreSQL refuses a NUL character outright.
 */

/** Whether an answer may run over several lines (a textarea) or must be one line (an input). */
export interface TextShape {
  readonly multiline: boolean;
}

/** An input: one line. */
export const singleLine: TextShape = { multiline: false };
/** A textarea: line breaks and tabs allowed. */
export const multiline: TextShape = { multiline: true };

/** What is wrong with a piece of text. */
export type TextFault = 'not-unicode' | 'control' | 'line-break' | 'markup';

// A UTF-16 surrogate not in a pair cannot be written as UTF-8, so it is not text.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 and C1 controls and DEL (Unicode category Cc), less the line breaks and tab a multi-line answer may hold.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlInMultiline = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const lineBreakOrTab = /[\t\n\r]/;
const markup = /[<>]/;

/** The first thing wrong with the text, or undefined when the rule accepts it. */
export function textFault(value: string, shape: TextShape): TextFault | undefined {
  if (loneSurrogate.test(value)) return 'not-unicode';
  if (controlInMultiline.test(value)) return 'control';
  if (!shape.multiline && lineBreakOrTab.test(value)) return 'line-break';
  if (markup.test(value)) return 'markup';
  return undefined;
}

/** The message for a fault, in GOV.UK style, about the answer named by `label` ("the reasons"). */
export function textFaultMessage(label: string, fault: TextFault): string {
  const subject = capitalise(label);
  switch (fault) {
    case 'not-unicode':
      return `${subject} must only include characters that can be saved: type it again rather than pasting it`;
    case 'control':
      return `${subject} must not contain control characters, such as a null character`;
    case 'line-break':
      return `${subject} must be on one line, without line breaks or tabs`;
    case 'markup':
      return `${subject} must not contain < or >`;
  }
}

/** The rule's message for the text, or undefined when the rule accepts it. */
export function checkText(label: string, value: string, shape: TextShape): string | undefined {
  const fault = textFault(value, shape);
  return fault === undefined ? undefined : textFaultMessage(label, fault);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * What is wrong with a required answer of free text (trimmed), or undefined: blank, longer than
 * `max`, or against the one text rule. For services that check what their callers typed.
 */
export function requiredTextFault(
  value: string,
  rule: { readonly label: string; readonly blank: string; readonly max: number; readonly shape?: TextShape },
): string | undefined {
  const text = value.trim();
  if (text === '') return rule.blank;
  if (text.length > rule.max)
    return `${rule.label.charAt(0).toUpperCase()}${rule.label.slice(1)} must be ${String(rule.max)} characters or fewer`;
  return checkText(rule.label, text, rule.shape ?? multiline);
}

/** Bytes as UTF-8 text, or undefined when they are not UTF-8 (never a silent U+FFFD in their place). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A form's fields as posted: one value a string, a field sent several times (checkboxes) a list. */
export type UrlEncodedFields = Record<string, string | string[]>;

/**
 * Reads an `application/x-www-form-urlencoded` body as the WHATWG URL standard does (`+` is a space;
 * `%XX` is a byte; a `%` not followed by two hex digits stays as it is), except that the decoded bytes
 * must be UTF-8: a body that is not is refused (undefined) rather than stored with the escapes or
 * replacement characters in it. Keys such as `__proto__` are plain keys (no prototype).
 */
export function parseUrlEncoded(body: Uint8Array): UrlEncodedFields | undefined {
  const fields = Object.create(null) as UrlEncodedFields;
  // Browsers percent-encode every byte outside ASCII; a raw one must still be UTF-8.
  const text = decodeUtf8(body);
  if (text === undefined) return undefined;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = percentDecode(equals === -1 ? pair : pair.slice(0, equals));
    const value = percentDecode(equals === -1 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) return undefined;
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

/** A `%` that starts no escape stays as it is (WHATWG); decodeURIComponent refuses escapes that are not UTF-8. */
function percentDecode(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' ').replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return undefined;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
