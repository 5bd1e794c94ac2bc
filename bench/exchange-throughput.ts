/**
 * The secure exchange's sealed storage (ADR 0020): how fast a file is sealed on the way in (upload)
 * and opened on the way out (download), streamed file to file, as a ratio of two references measured
 * in the same run on the same machine: the raw AES-256-GCM rate over the same bytes in memory, and a
 * plain file copy streamed through the process as the exchange streams (the kernel's copy, which
 * never enters the process, is printed for information). Goal: at least 50% of the slower reference. Also how much the process grows while
 * a file goes through (the streams keep memory flat whatever the file's size).
 * Usage: npm run bench:exchange [-- --megabytes 100]
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openStream, sealStream } from '../src/lib/sealed-stream.ts';

const flag = process.argv.indexOf('--megabytes');
const megabytes = flag === -1 ? 100 : Number(process.argv[flag + 1]);
const bytes = megabytes * 1_048_576;
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-bench-exchange-'));
const plain = path.join(dir, 'plain');
const sealed = path.join(dir, 'sealed');
const opened = path.join(dir, 'opened');
const copied = path.join(dir, 'copied');

// A file of random bytes, written in chunks.
const chunk = randomBytes(1_048_576);
const writer = createWriteStream(plain);
for (let written = 0; written < bytes; written += chunk.length)
  if (!writer.write(chunk)) await new Promise<void>((resolve) => writer.once('drain', () => resolve()));
await new Promise<void>((resolve) => writer.end(() => resolve()));

const rate = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return megabytes / ((performance.now() - started) / 1000);
};
const key = randomBytes(32);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const rssBefore = process.memoryUsage().rss;

// A plain copy made the way the exchange moves bytes (streams through the process), and the kernel's
// own copy (copy_file_range, never through the process) for information.
const copy = await rate(() => pipeline(createReadStream(plain), createWriteStream(copied)));
const kernelCopy = await rate(() => fs.copyFile(plain, copied));
const raw = await rate(async () => {
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  for (let done = 0; done < bytes; done += chunk.length) cipher.update(chunk);
  cipher.final();
});
const upload = await rate(() =>
  pipeline(createReadStream(plain), sealStream(key, 'bench-object'), createWriteStream(sealed)),
);
const download = await rate(() =>
  pipeline(createReadStream(sealed), openStream(key, 'bench-object'), createWriteStream(opened)),
);
clearInterval(sampler);
const same = (await fs.stat(opened)).size === bytes;
await fs.rm(dir, { recursive: true, force: true });

const slower = Math.min(raw, copy);
const mb = (value: number) => `${value.toFixed(0)} MB/s`;
console.log(
  `sealed storage, a ${String(megabytes)} MB file (${same ? 'round trip whole' : 'ROUND TRIP BROKEN'}):`,
);
console.log(
  `  references: raw AES-256-GCM ${mb(raw)}, plain streamed file copy ${mb(copy)} (the kernel's own copy: ${mb(kernelCopy)})`,
);
console.log(
  `  upload (file -> seal -> file)   ${mb(upload)}: ${(upload / slower).toFixed(2)} of the slower reference`,
);
console.log(
  `  download (file -> open -> file) ${mb(download)}: ${(download / slower).toFixed(2)} of the slower reference`,
);
console.log(
  `  process grew by at most ${((peakRss - rssBefore) / 1_048_576).toFixed(0)} MB while the file went up and came down`,
);
