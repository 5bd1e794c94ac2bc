import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RuleError } from '../lib/errors.ts';
import { parseForm, ruleErrors, viewerOf, type FormErrors } from '../web/forms.ts';
import type { ApiTokensService } from './api-tokens.service.ts';
import { roleNames, roles, type Role } from '../lib/roles.ts';
import { oidcPaths } from './oidc.paths.ts';
import { staffAccountRoutes } from './staff.account.routes.ts';
import { administratorOf, holdsRole, type Administrator } from './staff.authority.ts';
import { adminOnly, outcomeNotices, personOf, staffAnswers, staffPaths } from './staff.pages.ts';
import { createFields, editFields, staffCreateForm, staffEditForm, staffPageQuery } from './staff.schema.ts';
import type { StaffMember, StaffService } from './staff.service.ts';
import { trainingStateTags } from './training.ts';

export interface StaffRouteOptions {
  readonly staff: StaffService;
  readonly apiTokens: ApiTokensService;
}

/**
 * Staff administration: the list, a member of staff's page, and the create and change-details forms.
 * The changes to an account (password, training, authenticator app, deactivation) are in
 * staff.account.routes.ts.
 */
export async function staffRoutes(app: FastifyInstance, options: StaffRouteOptions): Promise<void> {
  const { staff } = options;

  /**
   * The choices the create and edit forms offer: the administrator's own organisation's active staff
   * as line managers, and every role but platform operator unless the administrator holds it.
   */
  async function formChoices(request: FastifyRequest, person: StaffMember | undefined) {
    const administrator = administratorOf(viewerOf(request));
    const managers = (await staff.list({ organisationId: administrator.organisationId })).filter(
      (member) => member.active && member.id !== person?.id,
    );
    return {
      organisationName: viewerOf(request).organisationName,
      managerItems: [
        { value: '', text: 'No line manager' },
        ...managers.map((manager) => ({ value: manager.id, text: manager.displayName })),
      ],
      roleItems: roles
        .filter((role) => role !== 'platform_operator' || holdsRole(administrator, role))
        .map((role) => ({
          value: role,
          text: roleNames[role],
          ...(role === 'platform_operator' ? { hint: { text: operatorHint } } : {}),
        })),
    };
  }

  app.get('/admin/staff', { config: adminOnly('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    return reply.render('auth/views/staff-list.njk', {
      pageTitle: 'Staff',
      organisationName: viewer.organisationName,
      members: await staff.list({ organisationId: viewer.organisationId }),
      paths: { ...staffPaths, singleSignOn: oidcPaths.settings },
    });
  });

  async function renderCreate(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('auth/views/staff-new.njk', {
      pageTitle: 'Create a member of staff',
      backLink: staffPaths.list,
      action: staffPaths.create,
      values,
      errors,
      ...(await formChoices(request, undefined)),
    });
  }

  app.get('/admin/staff/new', { config: adminOnly('none') }, async (request, reply) =>
    renderCreate(request, reply, 200, { roles: [] }),
  );

  app.post('/admin/staff/new', { config: adminOnly(['user.created']) }, async (request, reply) => {
    const form = parseForm(staffCreateForm, request.body);
    const values = staffAnswers(request.body, createFields);
    if (!form.ok) return renderCreate(request, reply, 400, values, form.errors);
    const administrator = administratorOf(viewerOf(request));
    try {
      // The form names no organisation: new staff join the administrator's own. One sent by hand is checked by the service.
      const id = await staff.create(administrator, {
        ...form.value,
        organisationId: form.value.organisationId ?? administrator.organisationId,
      });
      return await reply.redirect(`${staffPaths.show(id)}?done=created`, 303);
    } catch (error) {
      if (error instanceof RuleError)
        return renderCreate(request, reply, 400, values, ruleErrors(error, createFields));
      throw error;
    }
  });

  app.get('/admin/staff/:id', { config: adminOnly('none') }, async (request, reply) => {
    const person = await personOf(staff, request);
    if (person === undefined) return reply.callNotFound();
    const done = staffPageQuery.parse(request.query).done;
    return reply.render('auth/views/staff-show.njk', {
      pageTitle: person.displayName,
      backLink: staffPaths.list,
      person,
      notice: done === undefined ? undefined : outcomeNotices[done],
      isSelf: person.id === request.viewer?.userId,
      training: staff.trainingStatusOf(person.trainingCompletedOn),
      trainingTags: trainingStateTags,
      apiTokens: await options.apiTokens.listFor(administratorOf(viewerOf(request)), person.id),
      paths: {
        training: staffPaths.training(person.id),
        newApiToken: `${staffPaths.show(person.id)}/api-tokens/new`,
        edit: staffPaths.edit(person.id),
        resetPassword: staffPaths.resetPassword(person.id),
        resetMfa: staffPaths.resetMfa(person.id),
        deactivate: staffPaths.deactivate(person.id),
        reactivate: staffPaths.reactivate(person.id),
      },
    });
  });

  async function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    person: StaffMember,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('auth/views/staff-edit.njk', {
      pageTitle: 'Change details',
      backLink: staffPaths.show(person.id),
      action: staffPaths.edit(person.id),
      person,
      values,
      errors,
      ...(await formChoices(request, person)),
    });
  }

  app.get('/admin/staff/:id/edit', { config: adminOnly('none') }, async (request, reply) => {
    const person = await personOf(staff, request);
    if (person === undefined) return reply.callNotFound();
    return renderEdit(request, reply, 200, person, {
      displayName: person.displayName,
      jobTitle: person.jobTitle ?? '',
      roles: person.roles,
      lineManagerId: person.lineManagerId ?? '',
    });
  });

  app.post('/admin/staff/:id/edit', { config: adminOnly(['user.updated']) }, async (request, reply) => {
    const person = await personOf(staff, request);
    if (person === undefined) return reply.callNotFound();
    const form = parseForm(staffEditForm, request.body);
    const values = staffAnswers(request.body, editFields);
    if (!form.ok) return renderEdit(request, reply, 400, person, values, form.errors);
    const administrator = administratorOf(viewerOf(request));
    try {
      await staff.update(administrator, person.id, {
        ...form.value,
        // The form names no organisation: staff stay in theirs. One sent by hand is checked by the service.
        organisationId: form.value.organisationId ?? person.organisationId,
        roles: keptOperatorRole(administrator, person, form.value.roles),
      });
      return await reply.redirect(`${staffPaths.show(person.id)}?done=updated`, 303);
    } catch (error) {
      if (error instanceof RuleError)
        return renderEdit(request, reply, 400, person, values, ruleErrors(error, editFields));
      throw error;
    }
  });

  await staffAccountRoutes(app, { staff });
}

const operatorHint =
  'Keeps the partner directory every organisation on this Safeshare shares. It gives no access to anyone’s records or to other organisations’ staff';

/**
 * The roles to save from the change-details form. An administrator who is not a platform operator is
 * not offered that role, so a person who holds it keeps it; adding it by hand still reaches the
 * service, which refuses it.
 */
function keptOperatorRole(
  administrator: Administrator,
  person: StaffMember,
  chosen: readonly Role[],
): readonly Role[] {
  if (
    holdsRole(administrator, 'platform_operator') ||
    !person.roles.includes('platform_operator') ||
    chosen.includes('platform_operator')
  )
    return chosen;
  return [...chosen, 'platform_operator'];
}
