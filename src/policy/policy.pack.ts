import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { channelPolicySchema } from './policy.channels.ts';
import { custodyPolicySchema } from './policy.custody.ts';
import { exchangePolicySchema } from './policy.exchange.ts';
import { packIdentifier, uniqueList } from './policy.lists.ts';
import { retentionPolicySchema } from './policy.retention.ts';
import { sharingPolicySchema } from './policy.sharing.ts';

/**
 * Local policy as data (invariant 7, R2.13): review intervals, purposes, information categories and
 * the other lists the consent register offers come from a versioned pack, so that an information
 * governance lead changes them without a code change, and every record notes the version it was
 * made under. Later work adds sections (lawful bases, approvals, secure domains) by adding keys to
 * `policyPackShape`; a pack with a key the schema does not know is refused, so a typo never passes
 * silently.
 */

const identifier = packIdentifier;
const label = z.string().trim().min(1).max(200);

const purpose = z.strictObject({
  id: identifier,
  label,
  description: z.string().trim().min(1).max(1000),
  /** How often consent for this purpose is revisited (R3.4); the shortest of a consent's purposes wins. */
  reviewMonths: z.number().int().min(1).max(60),
});

const informationCategory = z.strictObject({
  id: identifier,
  label,
  /** Special category or criminal offence data (UK GDPR Articles 9 and 10): shown as such and shared only with a stated reason. */
  special: z.boolean(),
  /** Criminal offence data (UK GDPR Article 10, DPA 2018 s10-11): sharing it needs a Schedule 1 condition too. */
  criminal: z.boolean().default(false),
});

const notSoughtReason = z.strictObject({
  id: identifier,
  label,
  /** Whether the practitioner must say more (e.g. "another reason"). */
  requiresDetail: z.boolean(),
});

const choice = z.strictObject({ id: identifier, label });

/** Every section a pack holds. Add a section here (and to the packs) to extend the policy. */
export const policyPackShape = {
  name: identifier,
  /** The pack this one is based on: its sections are used wherever this pack does not replace them. */
  extends: identifier.optional(),
  version: z.string().regex(/^\d{4}\.\d{2}-\d+$/, 'must look like "2026.11-1" (year.month-revision)'),
  description: z.string().trim().min(1).max(2000),
  purposes: uniqueList(purpose),
  informationCategories: uniqueList(informationCategory),
  consentNotSoughtReasons: uniqueList(notSoughtReason),
  sharingMethods: uniqueList(choice),
  retentionForms: uniqueList(choice),
  sharing: sharingPolicySchema,
  channels: channelPolicySchema,
  exchange: exchangePolicySchema,
  custody: custodyPolicySchema,
  retention: retentionPolicySchema,
};

export const policyPackSchema = z.strictObject(policyPackShape);

export type PolicyPack = z.output<typeof policyPackSchema>;

export class PolicyPackError extends Error {
  override readonly name = 'PolicyPackError';
}

const packsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'packs');
const loaded = new Map<string, PolicyPack>();
const packName = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Reads, validates and caches a pack: a name from `src/policy/packs/<name>.json`, or the path of a
 * council's own `.json` file (POLICY_PACK). A missing or malformed pack stops the caller at once with
 * a message naming the pack and every problem in it.
 */
export function loadPolicyPack(nameOrFile = 'default'): PolicyPack {
  const cached = loaded.get(nameOrFile);
  if (cached !== undefined) return cached;
  const file = nameOrFile.endsWith('.json') ? path.resolve(nameOrFile) : undefined;
  if (file === undefined && !packName.test(nameOrFile))
    throw new PolicyPackError(
      `policy pack name "${nameOrFile.slice(0, 60)}" is not valid: use lower-case words joined by hyphens, or the path of a .json file`,
    );
  const name = file === undefined ? nameOrFile : path.basename(file, '.json');
  let text: string;
  try {
    text = readFileSync(file ?? path.join(packsFolder, `${name}.json`), 'utf8');
  } catch {
    throw new PolicyPackError(`policy pack "${name}" was not found in ${file ?? packsFolder}`);
  }
  const pack = parsePolicyPack(name, text);
  loaded.set(nameOrFile, pack);
  return pack;
}

/**
 * Validates a pack's JSON text; exported so tests can prove a broken pack is refused. A pack that
 * `extends` another takes every section it does not set from that pack (one level of sections, so a
 * replaced section is replaced whole and never half-merged).
 */
export function parsePolicyPack(name: string, text: string, seen: readonly string[] = []): PolicyPack {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyPackError(
      `policy pack "${name}" is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    'extends' in json &&
    typeof json.extends === 'string'
  ) {
    const base = json.extends;
    if (base === name || seen.includes(base))
      throw new PolicyPackError(`policy pack "${name}" extends "${base}", which leads back to itself`);
    if (!packName.test(base))
      throw new PolicyPackError(
        `policy pack "${name}" extends "${base.slice(0, 60)}", which is not a pack name`,
      );
    let baseText: string;
    try {
      baseText = readFileSync(path.join(packsFolder, `${base}.json`), 'utf8');
    } catch {
      throw new PolicyPackError(
        `policy pack "${name}" extends "${base}", which was not found in ${packsFolder}`,
      );
    }
    const basePack: Partial<PolicyPack> = { ...parsePolicyPack(base, baseText, [...seen, name]) };
    delete basePack.extends;
    json = { ...basePack, ...json };
  }
  const parsed = policyPackSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(pack)'}: ${issue.message}`,
    );
    throw new PolicyPackError(`policy pack "${name}" is not valid:\n  ${problems.join('\n  ')}`);
  }
  if (parsed.data.name !== name)
    throw new PolicyPackError(`policy pack file "${name}.json" names itself "${parsed.data.name}"`);
  return parsed.data;
}

/** Labels by id for each list, for pages that show recorded choices. */
export function policyLabels(pack: PolicyPack) {
  const byId = (entries: readonly { id: string; label: string }[]) =>
    Object.fromEntries(entries.map((entry) => [entry.id, entry.label]));
  return {
    purposes: byId(pack.purposes),
    informationCategories: byId(pack.informationCategories),
    consentNotSoughtReasons: byId(pack.consentNotSoughtReasons),
    sharingMethods: byId(pack.sharingMethods),
    retentionForms: byId(pack.retentionForms),
  };
}
