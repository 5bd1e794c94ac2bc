/**
 * What the secure exchange checks of a file before it keeps it: a name that cannot act as a path or
 * hide its real ending, and a type decided by the file's first bytes, never by its name.
 */

const maxNameLength = 200;
// C0 and C1 controls, DEL, and the invisible characters that reorder or hide text (bidi overrides, zero widths).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const hidden = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
// Windows treats these as devices with any ending and with spaces before it (`NUL.txt`, `CON .pdf`), and
// counts the superscript digits among COM and LPT port numbers.
const reservedNames = /^(?:con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]) *(?:\..*)?$/iu;

/** The file's own name, cleaned: the last part of any path, without hidden characters or spaces and dots at its ends. */
export function cleanFileName(
  name: string,
): { readonly ok: true; readonly name: string } | { readonly ok: false; readonly message: string } {
  const last = name.split(/[/\\]/).at(-1) ?? '';
  const cleaned = last
    .normalize('NFC')
    .replace(hidden, '')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  if (cleaned === '') return { ok: false, message: 'Give the file a name' };
  if (reservedNames.test(cleaned))
    return { ok: false, message: `Rename the file ${cleaned}: that name is reserved` };
  if (cleaned.length > maxNameLength)
    return { ok: false, message: `The file name must be ${String(maxNameLength)} characters or fewer` };
  return { ok: true, name: cleaned };
}

/** A detected type: its media type, the usual ending of such a file (without the dot), and its name for people. */
export interface DetectedType {
  readonly type: string;
  readonly extension: string;
  readonly label: string;
}

const signatures: readonly (DetectedType & { readonly bytes: readonly number[] })[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], type: 'application/pdf', extension: 'pdf', label: 'PDF' },
  {
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    type: 'image/png',
    extension: 'png',
    label: 'PNG image',
  },
  { bytes: [0xff, 0xd8, 0xff], type: 'image/jpeg', extension: 'jpg', label: 'JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], type: 'image/gif', extension: 'gif', label: 'GIF image' },
  // Word, Excel and PowerPoint files since 2007 are ZIP archives; telling them apart means reading the archive.
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    type: 'application/zip',
    extension: 'zip',
    label: 'Office document or ZIP archive',
  },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    type: 'application/x-ole-storage',
    extension: 'doc',
    label: 'Office 97-2003 document',
  },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], type: 'application/rtf', extension: 'rtf', label: 'RTF document' },
];

/** The type the first bytes of a file show (up to 4 KiB of them); undefined for anything else, such as a program. */
export function detectFileType(head: Uint8Array): DetectedType | undefined {
  for (const signature of signatures)
    if (signature.bytes.every((byte, index) => head[index] === byte))
      return { type: signature.type, extension: signature.extension, label: signature.label };
  const sample = head.subarray(0, 4096);
  if (sample.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(
      sample.length === 4096 ? trimPartial(sample) : sample,
    );
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u.test(text)
    ? undefined
    : { type: 'text/plain', extension: 'txt', label: 'plain text' };
}

/** A full 4 KiB sample may end inside a character: drop the last incomplete one before decoding. */
function trimPartial(sample: Uint8Array): Uint8Array {
  const end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = sample[end - back] ?? 0;
    if ((byte & 0xc0) === 0xc0) return sample.subarray(0, end - back);
    if ((byte & 0x80) === 0) break;
  }
  return sample.subarray(0, end);
}

/** How many files a package may carry and how large they may be, each and all together. */
export interface FileListLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

const megabyte = 1_048_576;

/**
 * What is wrong with a list of files before any is read: empty files, files too large, too many
 * files, too many bytes in all. Each problem points at the file it is about (for the list's own
 * limits, the first file over them) and says how to put it right. Pass the cleaned names.
 */
export function checkFileList(
  files: readonly { readonly name: string; readonly size: number }[],
  limits: FileListLimits,
): readonly { readonly index: number; readonly message: string }[] {
  const problems: { index: number; message: string }[] = [];
  let total = 0;
  let totalReported = false;
  for (const [index, file] of files.entries()) {
    if (file.size === 0) problems.push({ index, message: `${file.name} is empty` });
    else if (file.size > limits.maxFileBytes)
      problems.push({
        index,
        message: `${file.name} must be smaller than ${megabytes(limits.maxFileBytes)} MB`,
      });
    total += file.size;
    if (!totalReported && total > limits.maxTotalBytes) {
      totalReported = true;
      problems.push({
        index,
        message: `The files must be smaller than ${megabytes(limits.maxTotalBytes)} MB in total`,
      });
    }
  }
  if (files.length > limits.maxFiles)
    problems.push({
      index: limits.maxFiles,
      message: `Attach up to ${String(limits.maxFiles)} ${limits.maxFiles === 1 ? 'file' : 'files'}`,
    });
  return problems;
}

/** A size in megabytes (of 1,048,576 bytes), with no decimals when whole and at most one otherwise. */
function megabytes(bytes: number): string {
  const value = bytes / megabyte;
  return String(Number(value.toFixed(1)));
}
