import { z } from 'zod';

/**
 * The secure exchange's limits (R4.6.4, R4.6.5): how long a package stays readable, how many times
 * it may be downloaded, and how many and how large its files may be. A package never outlives the
 * maximum; expiry and revocation destroy its keys (ADR 0020).
 */
export const exchangePolicySchema = z
  .strictObject({
    defaultExpiryDays: z.number().int().min(1).max(90),
    maxExpiryDays: z.number().int().min(1).max(90),
    defaultDownloadLimit: z.number().int().min(1).max(100),
    maxDownloadLimit: z.number().int().min(1).max(100),
    maxFiles: z.number().int().min(1).max(50),
    maxFileMegabytes: z.number().int().min(1).max(2000),
    maxTotalMegabytes: z.number().int().min(1).max(5000),
  })
  .superRefine((section, context) => {
    if (section.defaultExpiryDays > section.maxExpiryDays)
      context.addIssue({
        code: 'custom',
        path: ['defaultExpiryDays'],
        message: 'must not exceed maxExpiryDays',
      });
    if (section.defaultDownloadLimit > section.maxDownloadLimit)
      context.addIssue({
        code: 'custom',
        path: ['defaultDownloadLimit'],
        message: 'must not exceed maxDownloadLimit',
      });
    if (section.maxFileMegabytes > section.maxTotalMegabytes)
      context.addIssue({
        code: 'custom',
        path: ['maxFileMegabytes'],
        message: 'must not exceed maxTotalMegabytes',
      });
  });
