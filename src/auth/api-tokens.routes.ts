import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiScopeDescriptions, apiScopes } from '../lib/api-scopes.ts';
import { RuleError } from '../lib/errors.ts';
import type { AuditDeclaration } from '../web/access.ts';
import { parseForm, ruleErrors, typedAnswers, viewerOf } from '../web/forms.ts';
import type { ApiTokensService } from './api-tokens.service.ts';
import { apiTokenForm, apiTokenParams } from './api-tokens.schema.ts';
import { administratorOf } from './staff.authority.ts';
import type { StaffService } from './staff.service.ts';

const adminOnly = (audit: AuditDeclaration) => ({ access: ['admin'] as const, audit });
const tokenFields = ['name', 'validDays', 'scopes'] as const;
const scopeItems = apiScopes.map((scope) => ({ value: scope, text: apiScopeDescriptions[scope] }));
const personParams = z.strictObject({ id: z.uuid() });

/**
 * Administrators issue and revoke API tokens for integrating systems' accounts of their own
 * organisation only (ADR 0011); another organisation's staff are not found (404).
 */
export async function apiTokenRoutes(
  app: FastifyInstance,
  options: { readonly staff: StaffService; readonly apiTokens: ApiTokensService },
): Promise<void> {
  const { staff, apiTokens } = options;

  async function personFor(request: FastifyRequest) {
    const parsed = personParams.safeParse(request.params);
    return parsed.success ? staff.find(administratorOf(viewerOf(request)), parsed.data.id) : undefined;
  }

  app.get('/admin/staff/:id/api-tokens/new', { config: adminOnly('none') }, async (request, reply) => {
    const person = await personFor(request);
    if (person === undefined) return reply.callNotFound();
    return reply.render('auth/views/api-token-new.njk', {
      pageTitle: 'Issue an API token',
      person,
      values: { validDays: '90', scopes: [] },
      scopeItems,
      backLink: `/admin/staff/${person.id}`,
    });
  });

  app.post(
    '/admin/staff/:id/api-tokens/new',
    { config: adminOnly(['api_token.issued']) },
    async (request, reply) => {
      const person = await personFor(request);
      if (person === undefined) return reply.callNotFound();
      const form = parseForm(apiTokenForm, request.body);
      const values = typedAnswers(request.body, tokenFields, ['scopes']);
      if (!form.ok)
        return reply.code(400).render('auth/views/api-token-new.njk', {
          pageTitle: 'Issue an API token',
          person,
          values,
          scopeItems,
          errors: form.errors,
          backLink: `/admin/staff/${person.id}`,
        });
      try {
        const issued = await apiTokens.issue(
          administratorOf(viewerOf(request)),
          person.id,
          form.value.name,
          form.value.validDays,
          form.value.scopes,
        );
        // Shown once, now: the token is not stored and cannot be shown again (no redirect, no caching).
        return await reply.code(201).render('auth/views/api-token-issued.njk', {
          pageTitle: 'API token issued',
          person,
          token: issued.token,
          name: form.value.name,
        });
      } catch (error) {
        if (error instanceof RuleError) {
          return reply.code(400).render('auth/views/api-token-new.njk', {
            pageTitle: 'Issue an API token',
            person,
            values,
            scopeItems,
            errors: ruleErrors(error, tokenFields),
            backLink: `/admin/staff/${person.id}`,
          });
        }
        throw error;
      }
    },
  );

  app.post(
    '/admin/staff/:id/api-tokens/:tokenId/revoke',
    { config: adminOnly(['api_token.revoked']) },
    async (request, reply) => {
      const params = apiTokenParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      // A token that is unknown, already revoked or another organisation's is not found (404).
      await apiTokens.revoke(administratorOf(viewerOf(request)), params.data.id, params.data.tokenId);
      return reply.redirect(`/admin/staff/${params.data.id}`, 303);
    },
  );
}
