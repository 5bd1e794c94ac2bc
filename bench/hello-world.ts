/**
 * The reference for Safeshare's pages: a Fastify hello world in a process of its own, loaded by
 * autocannon the same way as the page it is compared with (bench/all.ts). Run alone, it listens on
 * loopback, prints its address and serves until its standard input closes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { autocannon, runsAlone, type LoadResult } from './support.ts';

/** Starts the hello world in its own process, loads it with autocannon's `runs` in turn, and stops it. */
export async function helloWorld(runs: readonly (readonly string[])[]): Promise<LoadResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    let output = '';
    while (!output.includes('\n')) {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      output += chunk.toString();
    }
    const url = output.trim();
    const results: LoadResult[] = [];
    for (const options of runs) results.push(await autocannon([...options, `${url}/`]));
    return results;
  } finally {
    child.stdin.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

if (runsAlone(import.meta.url)) {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void app.close());
}
