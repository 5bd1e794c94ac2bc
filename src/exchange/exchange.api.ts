import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem, problem } from '../api/problem.ts';
import { bodyOf, paramsOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { DisclosureRuleError, disclosurePaths, disclosureRecorders } from '../disclosures/index.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import { multiline, singleLine, textRule } from '../lib/text.schema.ts';
import type { PolicyPack } from '../policy/index.ts';
import { sharingPaths } from '../sharing/index.ts';
import { checkFileList, cleanFileName } from './exchange.intake.ts';
import { ExchangeRuleError } from './exchange.packages.service.ts';
import type { IncomingFile } from './exchange.sealing.ts';
import type { PackageMode } from './exchange.table.ts';
import type { ExchangeService } from './index.ts';

const megabyte = 1_048_576;

/**
 * The largest package the JSON API carries, in megabytes, whatever larger limits the source policy
 * sets for the page. A JSON body is held in memory whole, and several times over while it is read
 * (the bytes, the text, the parsed members, the Idempotency-Key digest, each file decoded), and
 * JavaScript text cannot hold the source policy's largest package in base64 at all; the page
 * streams its files to the vault instead, so larger packages are sent from there.
 */
export const apiPackageMegabytes = 25;

const packageModes = ['download', 'view-only'] as const satisfies readonly PackageMode[];
const idParams = z.strictObject({ id: z.uuid() });
// A media type's shape (RFC 6838 names), without parameters.
const mediaTypePattern = /^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/;
const base64Alphabet = /[^A-Za-z0-9+/=]/;

/**
 * How many bytes strict base64 (RFC 4648 section 4: the standard alphabet, padded, no line breaks or
 * spaces, the unused bits of the last character zero) decodes to; undefined when it is not that.
 * Read without decoding and without a backtracking pattern, which overflows on text this long.
 */
function decodedBytes(value: string): number | undefined {
  if (value.length % 4 !== 0 || base64Alphabet.test(value)) return undefined;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  const firstPad = value.indexOf('=');
  if (firstPad !== -1 && firstPad < value.length - padding) return undefined;
  if (padding === 2 && !'AQgw'.includes(value.charAt(value.length - 3))) return undefined;
  if (padding === 1 && !'AEIMQUYcgkosw048'.includes(value.charAt(value.length - 2))) return undefined;
  return (value.length / 4) * 3 - padding;
}

/**
 * The body: the page's form as JSON, with the files in it. Each file's name is checked as the
 * page's uploads are (cleanFileName) and its content is strict base64 within the exchange's limits
 * (checkFileList: none empty, each and all together small enough), so nothing too large is decoded.
 */
function newPackageBody(policy: PolicyPack) {
  const limits = policy.exchange;
  const fileLimits = {
    maxFiles: limits.maxFiles,
    maxFileBytes: Math.min(limits.maxFileMegabytes, apiPackageMegabytes) * megabyte,
    maxTotalBytes: Math.min(limits.maxTotalMegabytes, apiPackageMegabytes) * megabyte,
  };
  const file = z.strictObject({
    name: z
      .string()
      .max(1000)
      .superRefine((name, context) => {
        const cleaned = cleanFileName(name);
        if (!cleaned.ok) context.addIssue({ code: 'custom', message: cleaned.message });
      })
      .describe('The file’s name; any folders before it are dropped, as for the page’s uploads'),
    mediaType: z
      .string()
      .regex(mediaTypePattern, 'Give the file’s media type, such as application/pdf')
      .describe(
        'The type the sending system holds the file as; the exchange decides the type from the file’s first bytes, never from this',
      ),
    contentBase64: z
      .string()
      .superRefine((content, context) => {
        if (decodedBytes(content) === undefined)
          context.addIssue({
            code: 'custom',
            message: 'The content must be base64 (RFC 4648: the standard alphabet, padded, no line breaks)',
          });
      })
      .meta({
        description: 'The file’s bytes in base64 (RFC 4648, padded, no line breaks)',
        contentEncoding: 'base64',
      }),
  });
  const body = z.strictObject({
    /** The recipient, by position in the decision's recipients (R2.11: only those the decision named). */
    recipientIndex: z.number().int().min(0).max(49),
    recipientAddress: z
      .string()
      .trim()
      .min(3)
      .max(254)
      .superRefine(textRule('the recipient’s address', singleLine))
      .optional()
      .describe('The e-mail address it goes to, when not the one the decision holds for the recipient'),
    categoryIds: z.array(z.string().max(60)).min(1).max(50),
    message: z.string().trim().min(1).max(10_000).superRefine(textRule('the message', multiline)),
    mode: z.enum(packageModes).describe('Whether the recipient may download the files or only view them'),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(limits.maxExpiryDays)
      .optional()
      .describe(`How many days the package can be opened; ${String(limits.defaultExpiryDays)} if not given`),
    downloadLimit: z
      .number()
      .int()
      .min(1)
      .max(limits.maxDownloadLimit)
      .optional()
      .describe(`How many downloads to allow; ${String(limits.defaultDownloadLimit)} if not given`),
    files: z
      .array(file)
      .max(limits.maxFiles, `Attach up to ${String(limits.maxFiles)} files`)
      .superRefine((files, context) => {
        // Sizes are read once every file's content is base64 and their number is within the limit.
        const sizes = files.map((entry) => decodedBytes(entry.contentBase64));
        if (files.length > limits.maxFiles || sizes.some((size) => size === undefined)) return;
        const listed = files.map((entry, index) => {
          const cleaned = cleanFileName(entry.name);
          return { name: cleaned.ok ? cleaned.name : entry.name, size: sizes[index] ?? 0 };
        });
        for (const found of checkFileList(listed, fileLimits))
          context.addIssue({ code: 'custom', path: [found.index, 'contentBase64'], message: found.message });
      })
      .default([])
      .describe(
        `Up to ${String(limits.maxFiles)} files, each and all together up to ${String(fileLimits.maxTotalBytes / megabyte)} MB over this API (larger packages are sent from the decision’s page)`,
      ),
  });
  // The files in base64 (four characters for every three bytes, each file padded to a whole group),
  // and the app's ordinary body limit for everything else: the message, the names, the rest.
  const bodyLimit = Math.ceil(fileLimits.maxTotalBytes / 3) * 4 + limits.maxFiles * 4 + megabyte;
  return { body, bodyLimit };
}

/** A package as the API answers once it is sent. */
const sentPackage = z.strictObject({
  id: z.uuid(),
  reference: z.string(),
  decisionId: z.uuid(),
  disclosureId: z.uuid().describe('The disclosure the package logged (GET /api/v1/disclosures/{id})'),
  mode: z.enum(packageModes),
  expiresAt: z.iso.datetime(),
  links: z.strictObject({
    page: z
      .url()
      .describe('The decision’s page, where staff see the package, what happened to it, and can withdraw it'),
    disclosure: z.url(),
  }),
});

/**
 * Sending through the secure exchange over the JSON API (R4.6.4), for case-management systems: the
 * page's form as JSON with the files in base64. The files go through the same checks, sealing and
 * malware scan as the page's uploads, and every check of a disclosure runs at the moment of sending.
 */
export async function exchangeApi(
  app: FastifyInstance,
  options: {
    readonly exchange: Pick<ExchangeService, 'send'>;
    readonly policy: PolicyPack;
    readonly publicUrl: string;
  },
): Promise<void> {
  const { exchange, publicUrl } = options;
  const { body: newPackage, bodyLimit } = newPackageBody(options.policy);

  app.post(
    '/api/v1/decisions/:id/exchange-packages',
    {
      bodyLimit,
      config: {
        // As the page: those who record disclosures send packages.
        access: disclosureRecorders,
        // A file refused as malware writes exchange.malware_refused as well (a list may write more).
        audit: ['exchange.package_sent', 'disclosure.recorded'],
        api: {
          // Sending a package logs a disclosure.
          scope: 'disclosures.log',
          summary: 'Send a secure exchange package under a recorded decision to share',
          description:
            'A message and files to one of the decision’s recipients, who is e-mailed a link (no personal information) and opens the package with a one-time code. Every check of a disclosure runs now (consent still in force, the method policy, the recipient, the categories); each file is checked, sealed and scanned for malware. The package is logged as a disclosure. 422 names each problem with its code; nothing is sent. Location: the disclosure logged.',
          params: idParams,
          body: newPackage,
          success: {
            status: 201,
            description: 'The package as sent, with the disclosure it logged',
            schema: sentPackage,
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const { id } = paramsOf(request, idParams);
        const answers = bodyOf(request, newPackage);
        const sent = await exchange.send(apiViewer(request), id, {
          ...answers,
          files: incomingFiles(answers.files),
        });
        const disclosure = `${publicUrl}${disclosurePaths.apiDisclosure(sent.disclosureId)}`;
        return await reply
          .code(201)
          .header('location', disclosure)
          .header('cache-control', 'no-store')
          .send({
            id: sent.id,
            reference: sent.reference,
            decisionId: id,
            disclosureId: sent.disclosureId,
            mode: answers.mode,
            expiresAt: sent.expiresAt.toISOString(),
            links: { page: `${publicUrl}${sharingPaths.decision(id)}#packages`, disclosure },
          });
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );
}

/** Each file decoded only when the exchange comes to it, so one file at a time is held decoded. */
function* incomingFiles(
  files: readonly { readonly name: string; readonly contentBase64: string }[],
): Generator<IncomingFile> {
  for (const file of files)
    yield { name: file.name, content: Readable.from(Buffer.from(file.contentBase64, 'base64')) };
}

function refusal(reply: FastifyReply, error: unknown) {
  // Another organisation's decision, one the account may not open, or none: one answer (404).
  if (error instanceof NotFoundError || error instanceof ReasonRequiredError) return notFoundProblem(reply);
  if (error instanceof ExchangeRuleError || error instanceof DisclosureRuleError)
    return problem(
      reply,
      422,
      'The package cannot be sent',
      'The package breaks the rules named in errors. Nothing was sent.',
      error.problems.map((rule) => ({
        pointer: `/${rule.field.replaceAll('.', '/')}`,
        code: rule.code,
        detail: `${rule.code}: ${rule.message}`,
      })),
    );
  throw error;
}
