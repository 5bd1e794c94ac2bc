import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import pg from 'pg';
import tar from 'tar-stream';
import { clusterDirectoryFor, type EmbeddedServer } from './embedded.ts';

/**
 * Online physical backups of the embedded server, whose binaries have no pg_dump or pg_basebackup:
 * PostgreSQL's low-level backup API (pg_backup_start / pg_backup_stop) on one session, the cluster's
 * files copied while it runs, then the write-ahead log from the backup's start to its end, held by a
 * temporary replication slot so that no checkpoint recycles it meanwhile. A restore starts with the
 * backup_label and replays that log to a consistent state (PostgreSQL's "Making a Base Backup Using
 * the Low Level API"). The archive is a tar of the cluster folder: `cluster/...` and the roles'
 * password files.
 */

/** Folders whose contents a backup leaves out (the folders stay); PostgreSQL makes them afresh. */
const emptiedFolders = new Set([
  'pg_wal',
  'pg_dynshmem',
  'pg_notify',
  'pg_replslot',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
/** Files in the cluster's top folder a backup leaves out. */
const leftOut = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'server.log',
  'standby.signal',
  'recovery.signal',
]);
/** The cluster folder's own files a backup takes: the roles' passwords (never owner.pid). */
const passwordFiles = ['password', 'application-password'];

export interface BackupSummary {
  readonly files: number;
  readonly bytes: number;
  readonly walSegments: number;
  readonly startLsn: string;
  readonly stopLsn: string;
}

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** Writes a tar of the running embedded server's cluster to `out`, while it goes on working. */
export async function backupEmbedded(server: EmbeddedServer, out: Writable): Promise<BackupSummary> {
  const pack = tar.pack();
  const written = pipeline(pack, out);
  const client = new pg.Client({
    connectionString: server.connectionString,
    application_name: 'safeshare backup',
  });
  await client.connect();
  let files = 0;
  let bytes = 0;
  const add = async (name: string, content: Buffer, mode: number) => {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name, mode, size: content.length }, content, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    files += 1;
    bytes += content.length;
  };
  try {
    const slot = `safeshare_backup_${String(process.pid)}`;
    await client.query('SELECT pg_create_physical_replication_slot($1, true, true)', [slot]);
    const started = await client.query<{ lsn: string }>(
      "SELECT pg_backup_start('safeshare backup', true)::text AS lsn",
    );
    const startLsn = started.rows[0]?.lsn ?? '';
    for (const name of passwordFiles) {
      const content = await fs.readFile(path.join(server.clusterDirectory, name)).catch(() => undefined);
      if (content !== undefined) await add(name, content, 0o600);
    }
    await copyTree(server.dataDirectory, 'cluster', add, pack);
    const stopped = await client.query<{ lsn: string; labelfile: string; spcmapfile: string | null }>(
      'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_backup_stop(false)',
    );
    const stop = stopped.rows[0];
    if (stop === undefined) throw new BackupError('the server did not end the backup');
    await add('cluster/backup_label', Buffer.from(stop.labelfile), 0o600);
    if (stop.spcmapfile !== null && stop.spcmapfile !== '')
      await add('cluster/tablespace_map', Buffer.from(stop.spcmapfile), 0o600);
    // The log from the segment the backup started in to the one it ended in, inclusive.
    const segments = await client.query<{ first: string; last: string }>(
      'SELECT pg_walfile_name($1::pg_lsn) AS first, pg_walfile_name($2::pg_lsn) AS last',
      [startLsn, stop.lsn],
    );
    const { first, last } = segments.rows[0] ?? { first: '', last: '' };
    const walFolder = path.join(server.dataDirectory, 'pg_wal');
    const needed = (await fs.readdir(walFolder))
      .filter((name) => /^[0-9A-F]{24}$/.test(name) && name >= first && name <= last)
      .sort();
    if (needed[0] !== first || needed.at(-1) !== last)
      throw new BackupError(`the write-ahead log from ${first} to ${last} is not all there`);
    for (const name of needed)
      await add(`cluster/pg_wal/${name}`, await fs.readFile(path.join(walFolder, name)), 0o600);
    await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
    pack.finalize();
    await written;
    return { files, bytes, walSegments: needed.length, startLsn, stopLsn: stop.lsn };
  } catch (error) {
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => undefined);
    throw error;
  } finally {
    // Ending the session ends a backup still in progress and drops the temporary slot.
    await client.end().catch(() => undefined);
  }
}

async function copyTree(
  folder: string,
  name: string,
  add: (name: string, content: Buffer, mode: number) => Promise<void>,
  pack: tar.Pack,
): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    pack.entry({ name, type: 'directory', mode: 0o700 }, (error) => (error ? reject(error) : resolve())),
  );
  const top = name === 'cluster';
  for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    const inside = `${name}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name.startsWith('pgsql_tmp')) continue;
      if (top && emptiedFolders.has(entry.name)) {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ name: inside, type: 'directory', mode: 0o700 }, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
        continue;
      }
      await copyTree(full, inside, add, pack);
    } else if (entry.isFile()) {
      if ((top && leftOut.has(entry.name)) || entry.name === 'pg_internal.init') continue;
      // A table dropped while the copy runs is gone: the log replay accounts for it.
      const content = await fs.readFile(full).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      });
      if (content !== undefined) await add(inside, content, 0o600);
    }
  }
}

/**
 * Restores a backup into `dataDir`, which must hold no embedded cluster yet. The next start there
 * replays the backup's write-ahead log and runs on the restored data.
 */
export async function restoreEmbedded(archive: Readable, dataDir: string): Promise<{ files: number }> {
  const { clusterDirectory, owner } = await clusterDirectoryFor(dataDir);
  const existing = await fs.readdir(clusterDirectory);
  if (existing.some((name) => name === 'cluster' || passwordFiles.includes(name)))
    throw new BackupError(
      `${clusterDirectory} already holds an embedded database: restore into an empty data folder`,
    );
  const extract = tar.extract();
  let files = 0;
  extract.on('entry', (header, stream, next) => {
    void (async () => {
      const target = path.resolve(clusterDirectory, header.name);
      if (!target.startsWith(`${path.resolve(clusterDirectory)}${path.sep}`))
        throw new BackupError(`the archive names a file outside the cluster: ${header.name}`);
      if (header.type === 'directory') {
        await fs.mkdir(target, { recursive: true, mode: 0o700 });
        stream.resume();
      } else if (header.type === 'file') {
        await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        await fs.writeFile(target, Buffer.concat(chunks), { mode: 0o600 });
        files += 1;
      } else {
        throw new BackupError(`the archive holds an entry of a kind a backup never makes: ${header.name}`);
      }
      if (owner !== undefined) await fs.chown(target, owner.uid, owner.gid);
    })().then(
      () => next(),
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
  await pipeline(archive, extract);
  return { files };
}
