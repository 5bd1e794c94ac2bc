import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

/** These try the embedded server itself: the stage on the machine's server has nothing to add. */
const onServerStage = process.env['SAFESHARE_TEST_ENGINE'] === 'server';
/**
 * The embedded server outlives a Safeshare process killed with SIGKILL, and a plain restart would
 * fail on its lock file: the next start must find it, stop it and start cleanly.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-recovery-'));
await fs.chmod(folder, 0o755);
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

it.skipIf(onServerStage)(
  'recovers by itself after the process that ran the embedded server was killed with SIGKILL',
  async () => {
    const port = await freePort();
    // A separate Node process starts the server, reports, then kills itself without any clean-up.
    const script = `
    import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve('src/db/embedded.ts'))};
    const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(folder)}, port: ${port} });
    process.stdout.write('ready\\n');
    process.kill(process.pid, 'SIGKILL');
  `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, killed) => resolve(killed)),
    );
    expect(output).toContain('ready');
    expect(signal).toBe('SIGKILL');

    // The orphaned server still holds the data folder.
    const lockFile = await fs.readFile(path.join(folder, 'postgres', 'cluster', 'postmaster.pid'), 'utf8');
    const orphan = Number.parseInt(lockFile.split('\n')[0] ?? '', 10);
    expect(() => process.kill(orphan, 0)).not.toThrow();

    const restarted = await startEmbeddedPostgres({ dataDir: folder, port });
    try {
      expect(restarted.recoveredStaleServer).toBe(true);
      const client = new pg.Client({ connectionString: restarted.connectionString });
      await client.connect();
      const result = await client.query<{ ok: number }>('SELECT 1 AS ok');
      await client.end();
      expect(result.rows[0]?.ok).toBe(1);
    } finally {
      await restarted.stop();
    }
    expect(
      await fs.access(path.join(folder, 'postgres', 'cluster', 'postmaster.pid')).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  },
  120_000,
);

it.skipIf(onServerStage)(
  'starts the server it runs again when the server is killed, and a second process finds it on the port it listens on',
  async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-supervised-'));
    await fs.chmod(dataDir, 0o755);
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir, port });
    try {
      server.supervise();
      // A command run beside the app, configured for another port, uses the server where it listens.
      const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve('src/db/embedded.ts'))};
      const shared = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port + 1} });
      process.stdout.write(new URL(shared.connectionString).port + '\\n');
      await shared.stop();
    `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise((resolve) => child.on('exit', resolve));
      expect(output.trim()).toBe(String(port));

      const lockFile = path.join(server.dataDirectory, 'postmaster.pid');
      const killed = Number.parseInt((await fs.readFile(lockFile, 'utf8')).split('\n')[0] ?? '', 10);
      process.kill(killed, 'SIGKILL');
      const answered = async () => {
        const client = new pg.Client({
          connectionString: server.connectionString,
          connectionTimeoutMillis: 1000,
        });
        try {
          await client.connect();
          return (await client.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok === 1;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      };
      const deadline = Date.now() + 60_000;
      while (!(await answered()) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await answered()).toBe(true);
      const restarted = Number.parseInt((await fs.readFile(lockFile, 'utf8')).split('\n')[0] ?? '', 10);
      expect(restarted).not.toBe(killed);
    } finally {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  },
  120_000,
);
