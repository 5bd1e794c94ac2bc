import net from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eicarSignatureName, eicarTestFile, startClamd, type TestClamd } from '../../test/support/clamd.ts';
import { clamdScanner, ScannerUnavailableError } from './exchange.scanner.ts';

describe('clamdScanner against a real clamd', () => {
  let clamd: TestClamd;

  beforeAll(async () => {
    clamd = await startClamd();
  }, 120_000);

  afterAll(async () => {
    await clamd.stop();
  }, 120_000);

  it('finds a PDF-like file clean', async () => {
    const pdf = Buffer.from(
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
    );
    await expect(clamdScanner(clamd.url).scan(Readable.from([pdf]))).resolves.toEqual({ clean: true });
  });

  it('finds the EICAR test file and names its signature', async () => {
    const result = await clamdScanner(clamd.url).scan(Readable.from([eicarTestFile()]));
    expect(result.clean).toBe(false);
    expect(result.clean ? undefined : result.signature).toMatch(
      new RegExp(`^${eicarSignatureName.replaceAll('.', '\\.')}`),
    );
  });

  it('finds the EICAR test file when it arrives a byte at a time', async () => {
    const bytes = [...eicarTestFile()].map((byte) => Uint8Array.of(byte));
    async function* oneByteAtATime(): AsyncIterable<Uint8Array> {
      yield* bytes;
    }
    await expect(clamdScanner(clamd.url).scan(oneByteAtATime())).resolves.toMatchObject({ clean: false });
  });

  it('streams a 5 MB clean file in many chunks, some larger than a clamd chunk', async () => {
    async function* fiveMegabytes(): AsyncIterable<Uint8Array> {
      for (let index = 0; index < 40; index += 1) yield Buffer.alloc(100 * 1024, index % 251);
      yield Buffer.alloc(5 * 1024 * 1024 - 40 * 100 * 1024, 7);
    }
    await expect(clamdScanner(clamd.url).scan(fiveMegabytes())).resolves.toEqual({ clean: true });
  }, 60_000);

  it('passes on an error reading the file rather than giving a verdict', async () => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from('the start of a file');
      throw new Error('the upload was cut off');
    }
    await expect(clamdScanner(clamd.url).scan(broken())).rejects.toThrow('the upload was cut off');
  });
});

describe('clamdScanner without a working clamd', () => {
  it('refuses a URL that is not tcp://host:port', () => {
    expect(() => clamdScanner('http://127.0.0.1:3310')).toThrow('tcp://host:port');
    expect(() => clamdScanner('tcp://127.0.0.1')).toThrow('tcp://host:port');
  });

  it('is unavailable when nothing listens on the port', async () => {
    const port = await unusedPort();
    await expect(
      clamdScanner(`tcp://127.0.0.1:${String(port)}`).scan(Readable.from([Buffer.from('hello')])),
    ).rejects.toThrow(ScannerUnavailableError);
  });

  it('is unavailable when the server answers something that is not a verdict', async () => {
    const server = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.end('HELLO THERE\0');
    });
    try {
      await expect(clamdScanner(server.url).scan(Readable.from([Buffer.from('hello')]))).rejects.toThrow(
        ScannerUnavailableError,
      );
    } finally {
      await server.close();
    }
  });

  it('is unavailable when clamd reports an error, however it is worded', async () => {
    const server = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => socket.end('INSTREAM size limit exceeded. ERROR\0'));
    });
    try {
      await expect(clamdScanner(server.url).scan(Readable.from([Buffer.alloc(1024)]))).rejects.toThrow(
        /size limit exceeded/,
      );
    } finally {
      await server.close();
    }
  });

  it('is unavailable when the server says OK before it has the whole file', async () => {
    const server = await listen((socket) => {
      socket.on('error', () => undefined);
      // Answers at once, then stops reading and hangs up.
      socket.end('stream: OK\0');
    });
    try {
      async function* large(): AsyncIterable<Uint8Array> {
        for (let index = 0; index < 200; index += 1) yield Buffer.alloc(64 * 1024);
      }
      const scanning = clamdScanner(server.url).scan(large());
      await expect(scanning).rejects.toThrow(ScannerUnavailableError);
      await expect(scanning).rejects.toThrow(/before it had the whole file/);
    } finally {
      await server.close();
    }
  });

  it('gives up when the server never answers', async () => {
    const server = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.resume();
    });
    try {
      await expect(
        clamdScanner(server.url, { timeoutMs: 300 }).scan(Readable.from([Buffer.from('hello')])),
      ).rejects.toThrow(/did not answer within 300 ms/);
    } finally {
      await server.close();
    }
  });
});

async function listen(
  onConnection: (socket: net.Socket) => void,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `tcp://127.0.0.1:${String(address.port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function unusedPort(): Promise<number> {
  const server = await listen(() => undefined);
  await server.close();
  return Number(new URL(server.url).port);
}
