import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A clamd of the test's own, listening on 127.0.0.1. */
export interface TestClamd {
  /** `tcp://127.0.0.1:<port>`, as clamdScanner takes it. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The name of the one signature the test clamd knows. */
export const eicarSignatureName = 'Safeshare.Test.EICAR';

/**
 * The 68-byte EICAR anti-malware test file, which every scanner treats as malware and which does no
 * harm. Built from parts so that this source file is not itself detected.
 */
export function eicarTestFile(): Buffer {
  return Buffer.from(
    ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS', '-TEST-FILE!$H+H*'].join(''),
  );
}

/**
 * Starts the machine's clamd (Debian's clamav-daemon) with a signature database of its own holding
 * only the EICAR test signature, so no signature download is needed, in a fresh folder that stop()
 * removes. Throws when clamd is not installed: the scanner's tests are never skipped.
 */
export async function startClamd(): Promise<TestClamd> {
  const binary = await findClamd();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-clamd-'));
  // Readable by whichever user clamd ends up running as.
  await fs.chmod(dir, 0o755);
  const port = await freePort();
  await fs.writeFile(
    path.join(dir, 'eicar.ndb'),
    `${eicarSignatureName}:0:*:${eicarTestFile().toString('hex')}\n`,
    { mode: 0o644 },
  );
  const config = path.join(dir, 'clamd.conf');
  await fs.writeFile(
    config,
    [
      `DatabaseDirectory ${dir}`,
      `TCPSocket ${String(port)}`,
      'TCPAddr 127.0.0.1',
      'Foreground yes',
      `LogFile ${path.join(dir, 'clamd.log')}`,
      `PidFile ${path.join(dir, 'clamd.pid')}`,
      `TemporaryDirectory ${dir}`,
      'StreamMaxLength 64M',
      'MaxThreads 4',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );

  const child = spawn(binary, [`--config-file=${config}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (data: Buffer) => {
    output = (output + data.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (running()) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    }
    await fs.rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running()) {
      const log = await fs.readFile(path.join(dir, 'clamd.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`clamd exited before it answered:\n${output}\n${log.slice(-4000)}`);
    }
    if ((await ping(port)) === 'PONG') return { url: `tcp://127.0.0.1:${String(port)}`, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`clamd did not answer PING within 60 seconds:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function findClamd(): Promise<string> {
  const places = [
    '/usr/sbin/clamd',
    ...(process.env['PATH'] ?? '').split(':').map((dir) => path.join(dir, 'clamd')),
  ];
  for (const place of places) {
    try {
      await fs.access(place, constants.X_OK);
      return place;
    } catch {
      // not here: try the next place
    }
  }
  throw new Error(
    "clamd is not installed: install Debian's clamav-daemon (apt-get install clamav-daemon) to run the malware scanner tests",
  );
}

/** clamd's answer to `zPING`, or undefined while it is not listening yet. */
async function ping(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => socket.write('zPING\0'));
    socket.on('data', (data: Buffer) => {
      received += data.toString('utf8');
      if (received.includes('\0')) {
        resolve(received.slice(0, received.indexOf('\0')));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(undefined));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port was given'));
      });
    });
  });
}
