import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFileList, cleanFileName, detectFileType } from './exchange.intake.ts';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const hiddenCharacter = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\report.pdf', 'report.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  notes\u0000\u0007 .txt. ', 'notes .txt'],
    ['Case\u200B summary.docx', 'Case summary.docx'],
  ])('cleans %j to %j', (name, cleaned) => {
    expect(cleanFileName(name)).toEqual({ ok: true, name: cleaned });
  });

  it.each([
    ['', 'Give the file a name'],
    ['...', 'Give the file a name'],
    ['.', 'Give the file a name'],
    ['..', 'Give the file a name'],
    ['dir/..', 'Give the file a name'],
    ['\u202E\u200B\u0000', 'Give the file a name'],
    ['aux.tar.gz', 'Rename the file aux.tar.gz: that name is reserved'],
    ['Com9', 'Rename the file Com9: that name is reserved'],
    ['folder/', 'Give the file a name'],
    ['CON', 'Rename the file CON: that name is reserved'],
    ['lpt1.txt', 'Rename the file lpt1.txt: that name is reserved'],
    ['nul .txt', 'Rename the file nul .txt: that name is reserved'],
    ['COM\u00b9.log', 'Rename the file COM\u00b9.log: that name is reserved'],
    [`${'a'.repeat(197)}.pdf`, 'The file name must be 200 characters or fewer'],
  ])('refuses %j', (name, message) => {
    expect(cleanFileName(name)).toEqual({ ok: false, message });
  });

  it('never returns a path, a control character or a hidden reordering character, and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const result = cleanFileName(name);
        if (result.ok) {
          expect(result.name).not.toMatch(/[/\\]/);
          expect(result.name).not.toMatch(hiddenCharacter);
          expect(result.name.length).toBeLessThanOrEqual(200);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('file types, by their first bytes', () => {
  const bytes = (...values: number[]) => Uint8Array.from(values);
  it.each([
    ['a PDF', Buffer.from('%PDF-1.7\n'), 'application/pdf'],
    ['a PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'image/png'],
    ['a JPEG', bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    ['a GIF', Buffer.from('GIF89a'), 'image/gif'],
    ['a Word document', bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 'application/zip'],
    ['an old Excel file', bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), 'application/x-ole-storage'],
    ['RTF', Buffer.from('{\\rtf1\\ansi'), 'application/rtf'],
    ['plain text', Buffer.from('Notes from the visit: all well.\r\n'), 'text/plain'],
    ['UTF-8 text', Buffer.from('Zoë’s café — notes'), 'text/plain'],
  ])('knows %s', (_what, head, type) => {
    expect(detectFileType(head)?.type).toBe(type);
  });

  it.each([
    ['a Windows program named .pdf', Buffer.from('MZ\x90\x00\x03\x00')],
    ['an ELF program', bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1)],
    ['binary noise', bytes(0x00, 0x01, 0x02, 0xfe)],
    ['text with a NUL', Buffer.from('hello\u0000world')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_what, head) => {
    expect(detectFileType(head)).toBeUndefined();
  });

  it('reads a 4 KiB sample of text that ends inside a character as text', () => {
    const text = Buffer.from(`${'a'.repeat(4094)}é€`);
    expect(detectFileType(text.subarray(0, 4096))?.type).toBe('text/plain');
  });
});

describe('file types: the usual ending of each', () => {
  it.each([
    [Buffer.from('%PDF-1.4'), 'pdf', 'PDF'],
    [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'png', 'PNG image'],
    [Uint8Array.of(0xff, 0xd8, 0xff, 0xdb), 'jpg', 'JPEG image'],
    [Buffer.from('GIF87a'), 'gif', 'GIF image'],
    [Uint8Array.of(0x50, 0x4b, 0x03, 0x04), 'zip', 'Office document or ZIP archive'],
    [Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), 'doc', 'Office 97-2003 document'],
    [Buffer.from('{\\rtf1'), 'rtf', 'RTF document'],
    [Buffer.from('hello\tworld\n'), 'txt', 'plain text'],
  ])('%#: .%s', (head, extension, label) => {
    expect(detectFileType(head)).toMatchObject({ extension, label });
  });
});

describe('a list of files', () => {
  const megabyte = 1_048_576;
  const limits = { maxFiles: 3, maxFileBytes: 25 * megabyte, maxTotalBytes: 50 * megabyte };

  it('accepts files within every limit', () => {
    expect(
      checkFileList(
        [
          { name: 'referral.pdf', size: 120_000 },
          { name: 'photo.jpg', size: 25 * megabyte },
        ],
        limits,
      ),
    ).toEqual([]);
  });

  it.each([
    ['an empty file', [{ name: 'notes.txt', size: 0 }], [{ index: 0, message: 'notes.txt is empty' }]],
    [
      'a file over the limit for one file',
      [
        { name: 'a.pdf', size: 10 },
        { name: 'scan.pdf', size: 25 * megabyte + 1 },
      ],
      [{ index: 1, message: 'scan.pdf must be smaller than 25 MB' }],
    ],
    [
      'too many files',
      [1, 2, 3, 4].map((n) => ({ name: `${String(n)}.pdf`, size: 10 })),
      [{ index: 3, message: 'Attach up to 3 files' }],
    ],
    [
      'too many bytes in all, pointing at the file that goes over',
      [
        { name: 'a.pdf', size: 20 * megabyte },
        { name: 'b.pdf', size: 20 * megabyte },
        { name: 'c.pdf', size: 20 * megabyte },
      ],
      [{ index: 2, message: 'The files must be smaller than 50 MB in total' }],
    ],
  ])('refuses %s', (_what, files, problems) => {
    expect(checkFileList(files, limits)).toEqual(problems);
  });

  it('gives sizes that are not whole megabytes to one decimal place', () => {
    expect(
      checkFileList([{ name: 'big.png', size: 3 * megabyte }], { ...limits, maxFileBytes: 2.5 * megabyte }),
    ).toEqual([{ index: 0, message: 'big.png must be smaller than 2.5 MB' }]);
  });

  it('says "file" when one is allowed', () => {
    expect(
      checkFileList(
        [
          { name: 'a.pdf', size: 1 },
          { name: 'b.pdf', size: 1 },
        ],
        { ...limits, maxFiles: 1 },
      ),
    ).toEqual([{ index: 1, message: 'Attach up to 1 file' }]);
  });
});
