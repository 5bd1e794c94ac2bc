import net from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Looks for malware in a file before the exchange lets anyone download it. The only answer that
 * lets a file through is a clear "clean" from the scanner: a scanner that cannot be reached, is
 * too slow or answers anything unexpected is an error, never a pass.
 */
export interface MalwareScanner {
  /** Streams the file's bytes to the scanner and returns its verdict; throws ScannerUnavailableError when there is none. */
  scan(source: AsyncIterable<Uint8Array> | Readable): Promise<ScanResult>;
}

/** The scanner's verdict on one file; `signature` names what it found (for example `Win.Test.EICAR_HDB-1`). */
export type ScanResult = { readonly clean: true } | { readonly clean: false; readonly signature: string };

/** The scanner gave no verdict: unreachable, timed out, closed the connection or answered with an error. */
export class ScannerUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScannerUnavailableError';
  }
}

// clamd refuses chunks larger than its StreamMaxLength; 64 KiB keeps each one small and the memory bounded.
const maxChunkBytes = 64 * 1024;
// clamd's answers are one short line; anything longer is not clamd.
const maxAnswerBytes = 4096;

/**
 * A scanner speaking clamd's INSTREAM protocol over TCP, at `tcp://host:port` (clamd's `TCPSocket`
 * and `TCPAddr`). One connection per file. The timeout (30 seconds unless given) is how long the
 * connection may go without any progress, sending or receiving, so a large file on a slow link is not
 * cut short but a scanner that has stopped answering is given up on.
 */
export function clamdScanner(url: string, options: { readonly timeoutMs?: number } = {}): MalwareScanner {
  const address = tcpAddress(url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return { scan: (source) => scanWithClamd(address, timeoutMs, source) };
}

function tcpAddress(url: string): { readonly host: string; readonly port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new Error('the malware scanner URL must look like tcp://host:port', { cause: error });
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'tcp:' || parsed.hostname === '' || !Number.isInteger(port) || port < 1)
    throw new Error('the malware scanner URL must look like tcp://host:port');
  // URL keeps the brackets of an IPv6 address; net.connect wants the address alone.
  return { host: parsed.hostname.replace(/^\[(.*)\]$/u, '$1'), port };
}

async function scanWithClamd(
  address: { readonly host: string; readonly port: number },
  timeoutMs: number,
  source: AsyncIterable<Uint8Array> | Readable,
): Promise<ScanResult> {
  const where = `${address.host}:${String(address.port)}`;
  let timedOut = false;
  let failure: Error | undefined;
  // Whether the whole file, and the empty chunk that ends it, has been handed to the socket.
  const handedOver = { wholeFile: false };
  const socket = net.connect(address);
  socket.on('error', (error) => {
    failure ??= error;
  });
  // Node's own socket timeout can fire up to twice as late as asked; this one is refreshed on every step.
  const idle = setTimeout(() => {
    timedOut = true;
    socket.destroy();
  }, timeoutMs);
  const progress = () => idle.refresh();
  const closed = () =>
    new ScannerUnavailableError(
      timedOut
        ? `the malware scanner at ${where} did not answer within ${String(timeoutMs)} ms`
        : failure === undefined
          ? `the malware scanner at ${where} closed the connection without a verdict`
          : `the malware scanner at ${where} could not be reached: ${failure.message}`,
      { cause: failure },
    );

  /** Writes, and waits for the socket to drain when its buffer is full, so a large file is never held in memory whole. */
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (socket.destroyed) throw closed();
    const flushed = socket.write(bytes);
    progress();
    if (flushed) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        socket.off('close', onClose);
        progress();
        resolve();
      };
      const onClose = () => {
        socket.off('drain', onDrain);
        reject(closed());
      };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    });
  };

  /** `zINSTREAM`, the file in length-prefixed chunks, then a zero length to say it has ended. */
  const sendFile = async (): Promise<void> => {
    await write(Buffer.from('zINSTREAM\0', 'latin1'));
    for await (const chunk of source as AsyncIterable<unknown>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (!(bytes instanceof Uint8Array)) throw new TypeError('a file to scan must be a stream of bytes');
      for (let offset = 0; offset < bytes.length; offset += maxChunkBytes) {
        const part = bytes.subarray(offset, offset + maxChunkBytes);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(part.length);
        await write(length);
        await write(part);
      }
    }
    const end = write(Buffer.alloc(4));
    handedOver.wholeFile = !socket.destroyed;
    await end;
  };

  const answer = new Promise<string>((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      progress();
      received = Buffer.concat([received, data]);
      const end = received.indexOf(0);
      if (end >= 0) {
        resolve(received.subarray(0, end).toString('utf8'));
        // clamd answers before the end of the file only to refuse it: stop sending.
        if (!handedOver.wholeFile) socket.destroy();
      } else if (received.length > maxAnswerBytes) {
        reject(
          new ScannerUnavailableError(`the malware scanner at ${where} sent an answer too long to be one`),
        );
        socket.destroy();
      }
    });
    socket.on('close', () => reject(closed()));
  });
  const sending = sendFile().catch((error: unknown) => {
    // Without the whole file there is no verdict to wait for.
    socket.destroy();
    throw error;
  });

  try {
    const [answered, sent] = await Promise.allSettled([answer, sending]);
    // A file that could not be read is the caller's problem, not the scanner's: pass it on as it is.
    if (sent.status === 'rejected' && !(sent.reason instanceof ScannerUnavailableError)) throw sent.reason;
    if (answered.status === 'rejected') throw answered.reason;
    const verdict = readVerdict(answered.value, where);
    // A verdict given before the whole file went through is not a verdict on the file.
    if (!handedOver.wholeFile)
      throw new ScannerUnavailableError(
        `the malware scanner at ${where} answered before it had the whole file`,
      );
    return verdict;
  } finally {
    clearTimeout(idle);
    socket.destroy();
  }
}

/** `stream: OK`, `stream: <signature> FOUND`, or anything else, which is an error (`... ERROR`). */
function readVerdict(answer: string, where: string): ScanResult {
  const line = answer.trim();
  if (line === 'stream: OK') return { clean: true };
  const found = /^stream: (\S.*) FOUND$/u.exec(line);
  if (found?.[1] !== undefined) return { clean: false, signature: found[1] };
  throw new ScannerUnavailableError(
    `the malware scanner at ${where} answered ${JSON.stringify(line.slice(0, 200))}`,
  );
}
