/**
 * The app server the crash trials kill: Safeshare over the database DATABASE_URL names, listening on
 * PORT, with production settings. It prints "ready" once it listens. Run by bench/crash-safety.ts.
 */
import { buildApp } from '../src/app.ts';
import { createDb } from '../src/db/client.ts';
import { services as buildServices } from '../src/services.ts';
import { benchDependencies } from './support.ts';

const url = process.env['DATABASE_URL'] ?? '';
const port = Number(process.env['PORT']);
const db = createDb(url, 12);
const dependencies = benchDependencies(db, url);
const app = await buildApp({ ...dependencies, services: buildServices(dependencies), logger: false });
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');
