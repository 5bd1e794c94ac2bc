import { readFileSync } from 'node:fs';
import semver from 'semver';
import { expect, it } from 'vitest';

/**
 * What package.json declares is what is tested: every installed package must support the oldest
 * Node.js the project declares (and CI runs), so `npm ci` prints no EBADENGINE warning.
 */
interface LockPackage {
  readonly version?: string;
  readonly engines?: Record<string, string> | string[];
  readonly dev?: boolean;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockPackage>;
};

it('declares a Node.js range that includes the Node.js running the tests', () => {
  expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true);
});

it('installs only packages that support the oldest declared Node.js', () => {
  const oldest = semver.minVersion(manifest.engines.node)?.version;
  expect(oldest).toBeDefined();
  const refusing = Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.['node'];
      if (range === undefined || semver.satisfies(oldest ?? '0.0.0', range, { includePrerelease: true }))
        return [];
      return [`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} needs node ${range}`];
    });
  expect(refusing).toEqual([]);
});
