import { decode as decodeJpeg } from 'jpeg-js';
import {
  decodePDFRawStream,
  PDFContext,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
} from 'pdf-lib';
import { PNG } from 'pngjs';

/**
 * Whether an uploaded file is what it claims to be, by parsing it whole rather than trusting its
 * first bytes: a PDF must load as a PDF with a page tree, a PNG or JPEG must decode as that image.
 * Pure: no domain knowledge, so every capability that takes files (consent evidence, exchange
 * attachments) can share it.
 */

export type CheckedFileType = 'application/pdf' | 'image/png' | 'image/jpeg';

/**
 * Why a file was refused:
 * - `unrecognised`: its first bytes are not those of any type checked here;
 * - `damaged`: it starts like its type but does not parse or decode as it (cut short, or another kind of content behind a signature);
 * - `extra-content`: it parses, but other bytes follow the end of the PDF or PNG (the shape of a polyglot file);
 * - `too-large`: its header claims more pixels, or its internal streams more bytes, than the limits allow (nothing that size was
 *   allocated), or a PDF took longer to search than its limit allows.
 */
export type FileCheckProblem = 'unrecognised' | 'damaged' | 'extra-content' | 'too-large';

export type FileCheck =
  | { readonly ok: true; readonly type: CheckedFileType }
  | { readonly ok: false; readonly type: CheckedFileType | undefined; readonly problem: FileCheckProblem };

export interface FileCheckLimits {
  /** The most pixels an image may have (width times height), checked from its header before decoding. */
  readonly maxImagePixels: number;
  /** The most bytes that a PDF's object and cross-reference streams, which are inflated to read the file, may inflate to in all. */
  readonly maxPdfInflatedBytes: number;
  /** How long the search for those streams may take; a file made to slow it down is refused when it runs out. */
  readonly maxPdfScanMilliseconds: number;
}

/**
 * 40 megapixels is more than any phone photo of a form that fits in an upload, and bounds a decode
 * at about 160 MB of pixels (more for a 16-bit PNG). 64 MB of inflated object streams is many times
 * what a real PDF of a few megabytes holds, and refuses a compression bomb before it is inflated.
 */
export const defaultFileCheckLimits: FileCheckLimits = {
  maxImagePixels: 40_000_000,
  maxPdfInflatedBytes: 64 * 1024 * 1024,
  maxPdfScanMilliseconds: 3000,
};

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The type a file's first bytes claim, whatever its name or declared type say; undefined when none checked here. */
export function sniffFileType(bytes: Uint8Array): CheckedFileType | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 5 && buffer.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (buffer.length >= 8 && buffer.subarray(0, 8).equals(pngSignature)) return 'image/png';
  if (buffer.length >= 3 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff)
    return 'image/jpeg';
  return undefined;
}

/** Checks the whole file against the type its first bytes claim. Never throws for bad content: the answer says what is wrong. */
export async function checkFileContent(
  bytes: Uint8Array,
  limits: FileCheckLimits = defaultFileCheckLimits,
): Promise<FileCheck> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = sniffFileType(buffer);
  if (type === undefined) return { ok: false, type, problem: 'unrecognised' };
  const problem =
    type === 'application/pdf'
      ? await pdfProblem(buffer, limits)
      : type === 'image/png'
        ? pngProblem(buffer, limits)
        : jpegProblem(buffer, limits);
  return problem === undefined ? { ok: true, type } : { ok: false, type, problem };
}

// --- PDF -------------------------------------------------------------------------------------

class TooLarge extends Error {}

const pdfEnd = Buffer.from('%%EOF', 'latin1');
/** PDF white space (ISO 32000-1 7.2.2): what may follow the last %%EOF. */
const pdfWhiteSpace = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

async function pdfProblem(bytes: Buffer, limits: FileCheckLimits): Promise<FileCheckProblem | undefined> {
  // The file ends at its last %%EOF (ISO 32000-1 7.5.5; with incremental updates, the last
  // section's). Anything but white space after it is another file riding on this one, or a cut.
  const end = bytes.lastIndexOf(pdfEnd);
  if (end === -1) return 'damaged';
  for (let index = end + pdfEnd.length; index < bytes.length; index++) {
    if (!pdfWhiteSpace.has(bytes[index] ?? 0)) return 'extra-content';
  }
  try {
    guardInflatedStreams(bytes, limits);
  } catch (error) {
    if (error instanceof TooLarge) return 'too-large';
    throw error;
  }
  try {
    // Strict: an object that does not parse refuses the file rather than being skipped. Encrypted
    // files still parse (their structure is in the clear), so a signed, permission-locked form loads.
    const document = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      throwOnInvalidObject: true,
      updateMetadata: false,
    });
    const root = document.context.trailerInfo.Root;
    if (!(root instanceof PDFRef) || !(document.context.lookup(root) instanceof PDFDict)) return 'damaged';
    return document.getPageCount() > 0 ? undefined : 'damaged';
  } catch {
    // pdf-lib throws its own errors and plain TypeErrors alike for content that is not a PDF.
    return 'damaged';
  }
}

/**
 * An indirect object's header, `12 0 obj`, with the white space and comments pdf-lib allows between
 * its parts. Written so that no input makes it backtrack far: a number starts where a run of digits
 * starts, and a comment runs to its end of line.
 */
const objectHeader = /(?<!\d)\d+(?:[\0\t\n\f\r ]|%[^\r\n]*[\r\n])+\d+(?:[\0\t\n\f\r ]|%[^\r\n]*[\r\n])*obj/g;

/**
 * pdf-lib inflates every object stream and cross-reference stream whole while it loads a file, so
 * a few megabytes of deflated zeros would become gigabytes. Before it does, find every stream it
 * could treat so (a /Type of /ObjStm or /XRef, or a /Type given by reference, which real files never
 * use), using pdf-lib's own object parser, and inflate each only as far as the budget allows.
 * Candidates are sought at every object header, even inside other streams' data, so that none
 * pdf-lib would find is missed; the ones that are noise fail to parse and are passed over.
 */
function guardInflatedStreams(bytes: Buffer, limits: FileCheckLimits): void {
  const context = PDFContext.create();
  const text = bytes.toString('latin1');
  let remaining = limits.maxPdfInflatedBytes;
  // Each candidate is parsed afresh, so objects nested inside one another (strings within strings)
  // could make the search quadratic; a deadline bounds it. A real file takes a small part of it.
  const deadline = performance.now() + limits.maxPdfScanMilliseconds;
  for (const match of text.matchAll(objectHeader)) {
    if (performance.now() > deadline) throw new TooLarge();
    let stream: PDFRawStream;
    try {
      const object = PDFObjectParser.forBytes(
        bytes.subarray(match.index + match[0].length),
        context,
      ).parseObject();
      if (!(object instanceof PDFRawStream)) continue;
      stream = object;
    } catch {
      continue;
    }
    const kind = stream.dict.get(PDFName.of('Type'));
    if (kind !== PDFName.of('ObjStm') && kind !== PDFName.of('XRef') && !(kind instanceof PDFRef)) continue;
    try {
      // In slices, so that a small stream costs a small buffer; stop as soon as the budget is spent.
      const decoded = decodePDFRawStream(stream);
      for (
        let slice = decoded.getBytes(inflateSlice);
        slice.length > 0 && remaining >= 0;
        slice = decoded.getBytes(inflateSlice)
      )
        remaining -= slice.length;
    } catch {
      // A stream that cannot be decoded here fails pdf-lib's own load too, if it is real.
      continue;
    }
    if (remaining < 0) throw new TooLarge();
  }
}

const inflateSlice = 64 * 1024;

// --- PNG -------------------------------------------------------------------------------------

/** Walks the chunks (PNG spec 5.3) to IEND: the image's size from IHDR, and where the file should end. */
function pngLayout(bytes: Buffer): { width: number; height: number; end: number } | undefined {
  let offset = pngSignature.length;
  let size: { width: number; height: number } | undefined;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const next = offset + 12 + length;
    if (length > 0x7fffffff || next > bytes.length) return undefined;
    if (offset === pngSignature.length) {
      if (type !== 'IHDR' || length !== 13) return undefined;
      size = { width: bytes.readUInt32BE(offset + 8), height: bytes.readUInt32BE(offset + 12) };
    }
    if (type === 'IEND') return size === undefined ? undefined : { ...size, end: next };
    offset = next;
  }
  return undefined;
}

function pngProblem(bytes: Buffer, limits: FileCheckLimits): FileCheckProblem | undefined {
  const layout = pngLayout(bytes);
  if (layout === undefined) return 'damaged';
  if (layout.width * layout.height > limits.maxImagePixels) return 'too-large';
  if (layout.end !== bytes.length) return 'extra-content';
  try {
    // Checks every chunk's CRC and inflates the image data, bounded by the size IHDR gives.
    const image = PNG.sync.read(bytes);
    return image.width === layout.width && image.height === layout.height ? undefined : 'damaged';
  } catch {
    return 'damaged';
  }
}

// --- JPEG ------------------------------------------------------------------------------------

/** Start-of-frame markers that carry the image's size (ITU T.81 B.1.1.3): SOF0-15 but DHT, JPG and DAC. */
const startOfFrame = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walks the markers (ITU T.81 B.1) to EOI: the image's size from its frame header; undefined when the image is cut short. */
function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  let size: { width: number; height: number } | undefined;
  while (offset + 1 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return size;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // TEM and RSTn stand alone
      continue;
    }
    if (offset + 4 > bytes.length) return undefined;
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return undefined;
    if (startOfFrame.has(marker)) {
      if (length < 8) return undefined;
      size = { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart.
      while (
        offset + 1 < bytes.length &&
        !(
          bytes[offset] === 0xff &&
          bytes[offset + 1] !== 0x00 &&
          !((bytes[offset + 1] ?? 0) >= 0xd0 && (bytes[offset + 1] ?? 0) <= 0xd7)
        )
      )
        offset++;
    }
  }
  return undefined;
}

function jpegProblem(bytes: Buffer, limits: FileCheckLimits): FileCheckProblem | undefined {
  const size = jpegSize(bytes);
  if (size === undefined || size.width === 0 || size.height === 0) return 'damaged';
  if (size.width * size.height > limits.maxImagePixels) return 'too-large';
  // Bytes after the image's EOI are not refused: phone cameras put more there (a second, smaller
  // JPEG for multi-picture formats, a motion-photo video, vendor trailers), and a photo of a form
  // taken on a work phone must be accepted. Such files are only ever downloaded as attachments.
  try {
    const image = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true,
      maxResolutionInMP: limits.maxImagePixels / 1_000_000,
      maxMemoryUsageInMB: 512,
    });
    return image.width === size.width && image.height === size.height ? undefined : 'damaged';
  } catch {
    return 'damaged';
  }
}

/** A size for people: kilobytes under a megabyte, megabytes to one decimal above. */
export function sizeOf(bytes: number): string {
  return bytes < 1_048_576 ? `${String(Math.ceil(bytes / 1024))} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`;
}
