/**
 * Cold start of `npm start` on an existing data directory, and its peak memory.
 * First run initialises a data folder (not timed); then the app is started N times on it, each time
 * timed from spawn to "is running", with peak resident memory (VmHWM) read after a few requests.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support.ts';

const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-cold-start-'));
await fs.chmod(dataDir, 0o755);

async function start(port: number, pgPort: number): Promise<{ ms: number; peakMb: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is running at')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  const ms = performance.now() - began;
  for (let request = 0; request < 50; request += 1)
    await fetch(`http://127.0.0.1:${port}/sign-in`).then((response) => response.text());
  const status = await fs.readFile(`/proc/${child.pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { ms, peakMb: peakKb / 1024 };
}

const port = await freePort();
const pgPort = await freePort();
const first = await start(port, pgPort);
console.log(`first start (initdb, migrations, demo data): ${Math.round(first.ms)} ms`);
for (let run = 1; run <= runs; run += 1) {
  const result = await start(port, pgPort);
  console.log(
    `start ${run} on an existing data directory: ${Math.round(result.ms)} ms, peak memory of the Node process ${result.peakMb.toFixed(0)} MB`,
  );
}
await fs.rm(dataDir, { recursive: true, force: true });
