import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fieldError, parseForm, type FormErrors } from '../web/forms.ts';
import { roleNames, roles, type Role } from './roles.ts';
import { administratorOf, holdsRole, type Administrator } from './staff.authority.ts';
import {
  confirmationForm,
  createFields,
  editFields,
  resetPasswordForm,
  staffCreateForm,
  staffEditForm,
  staffPageQuery,
  staffParams,
  trainingDateField,
  trainingFields,
  trainingForm,
  type StaffOutcome,
} from './staff.schema.ts';
import { StaffNotFoundError, StaffRuleError, type StaffMember, type StaffService } from './staff.service.ts';
import type { ApiTokensService } from './api-tokens.service.ts';
import { trainingStateTags } from './training.ts';

export interface StaffRouteOptions {
  readonly staff: StaffService;
  readonly apiTokens: ApiTokensService;
}

/**
 * Staff administration is for administrators only, each confined to their own organisation's staff
 * (ADR 0011): the services refuse anyone else's, and the pages answer 404 for them.
 */
const adminOnly = { access: ['admin'] as const };

export const staffPaths = {
  list: '/admin/staff',
  create: '/admin/staff/new',
  show: (id: string) => `/admin/staff/${id}`,
  edit: (id: string) => `/admin/staff/${id}/edit`,
  resetPassword: (id: string) => `/admin/staff/${id}/reset-password`,
  resetMfa: (id: string) => `/admin/staff/${id}/reset-mfa`,
  deactivate: (id: string) => `/admin/staff/${id}/deactivate`,
  reactivate: (id: string) => `/admin/staff/${id}/reactivate`,
  training: (id: string) => `/admin/staff/${id}/training`,
} as const;

const outcomeNotices: Record<StaffOutcome, string> = {
  created: 'Account created. They will set up their authenticator app when they first sign in.',
  updated: 'Details updated.',
  'password-reset':
    'Password reset. They have been signed out everywhere and must sign in with the new password.',
  'mfa-reset':
    'Authenticator app reset. They have been signed out and will set up their authenticator app again at their next sign-in.',
  deactivated: 'Account deactivated. They have been signed out and cannot sign in.',
  reactivated: 'Account reactivated. They can sign in again.',
  'training-recorded': 'Data protection training recorded.',
};

interface Confirmation {
  readonly name: string;
  readonly path: (id: string) => string;
  readonly template: string;
  readonly pageTitle: string;
  readonly outcome: StaffOutcome;
  readonly apply: (request: FastifyRequest, person: StaffMember) => Promise<void>;
}

/** The id a confirmation page's button carries, so an error summary has somewhere to link. */
const confirmButton = 'confirm';

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

  /** The person the address names, or undefined for a malformed or unknown id, or another organisation's staff (the caller answers 404). */
  async function personOf(request: FastifyRequest): Promise<StaffMember | undefined> {
    const params = staffParams.safeParse(request.params);
    return params.success ? staff.find(administratorOf(viewerOf(request)), params.data.id) : undefined;
  }

  app.get('/admin/staff', { config: adminOnly }, async (request, reply) => {
    const viewer = viewerOf(request);
    return reply.render('auth/views/staff-list.njk', {
      pageTitle: 'Staff',
      organisationName: viewer.organisationName,
      members: await staff.list({ organisationId: viewer.organisationId }),
      paths: staffPaths,
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

  app.get('/admin/staff/new', { config: adminOnly }, async (request, reply) =>
    renderCreate(request, reply, 200, { roles: [] }),
  );

  app.post('/admin/staff/new', { config: adminOnly }, async (request, reply) => {
    const form = parseForm(staffCreateForm, request.body);
    const values = answersOf(request.body, createFields);
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
      if (error instanceof StaffRuleError)
        return renderCreate(request, reply, 400, values, ruleErrors(error, createFields));
      throw error;
    }
  });

  app.get('/admin/staff/:id', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
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

  app.get('/admin/staff/:id/edit', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    return renderEdit(request, reply, 200, person, {
      displayName: person.displayName,
      jobTitle: person.jobTitle ?? '',
      roles: person.roles,
      lineManagerId: person.lineManagerId ?? '',
    });
  });

  app.post('/admin/staff/:id/edit', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    const form = parseForm(staffEditForm, request.body);
    const values = answersOf(request.body, editFields);
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
      if (error instanceof StaffNotFoundError) return reply.callNotFound();
      if (error instanceof StaffRuleError)
        return renderEdit(request, reply, 400, person, values, ruleErrors(error, editFields));
      throw error;
    }
  });

  async function renderResetPassword(
    reply: FastifyReply,
    status: number,
    person: StaffMember,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('auth/views/staff-reset-password.njk', {
      pageTitle: 'Reset password',
      backLink: staffPaths.show(person.id),
      action: staffPaths.resetPassword(person.id),
      person,
      errors,
    });
  }

  app.get('/admin/staff/:id/reset-password', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    return renderResetPassword(reply, 200, person);
  });

  app.post('/admin/staff/:id/reset-password', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    const form = parseForm(resetPasswordForm, request.body);
    if (!form.ok) return renderResetPassword(reply, 400, person, form.errors);
    try {
      await staff.resetPassword(administratorOf(viewerOf(request)), person.id, form.value.password);
      return await reply.redirect(`${staffPaths.show(person.id)}?done=password-reset`, 303);
    } catch (error) {
      if (error instanceof StaffNotFoundError) return reply.callNotFound();
      if (error instanceof StaffRuleError)
        return renderResetPassword(reply, 400, person, ruleErrors(error, ['password']));
      throw error;
    }
  });

  /** Data protection training (R1.1, R2.2): the day they last completed it, from which its expiry follows. */
  async function renderTraining(
    reply: FastifyReply,
    status: number,
    person: StaffMember,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('auth/views/staff-training.njk', {
      pageTitle: 'When did they complete data protection training?',
      backLink: staffPaths.show(person.id),
      action: staffPaths.training(person.id),
      cancel: staffPaths.show(person.id),
      person,
      field: trainingDateField,
      values,
      errors: errors === undefined ? undefined : toFirstDatePart(errors, trainingDateField),
    });
  }

  app.get('/admin/staff/:id/training', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    return renderTraining(reply, 200, person, {});
  });

  app.post('/admin/staff/:id/training', { config: adminOnly }, async (request, reply) => {
    const person = await personOf(request);
    if (person === undefined) return reply.callNotFound();
    const form = parseForm(trainingForm({ today: staff.today() }), request.body);
    const values = answersOf(request.body, trainingFields);
    if (!form.ok) return renderTraining(reply, 400, person, values, form.errors);
    try {
      await staff.recordTraining(administratorOf(viewerOf(request)), person.id, form.value.completedOn);
      return await reply.redirect(`${staffPaths.show(person.id)}?done=training-recorded`, 303);
    } catch (error) {
      if (error instanceof StaffNotFoundError) return reply.callNotFound();
      if (error instanceof StaffRuleError)
        return renderTraining(reply, 400, person, values, ruleErrors(error, [trainingDateField]));
      throw error;
    }
  });

  /** Reset MFA, deactivate and reactivate: a confirmation page, then a POST that makes the change. */
  const confirmations = [
    {
      name: 'reset-mfa',
      path: staffPaths.resetMfa,
      template: 'auth/views/staff-reset-mfa.njk',
      pageTitle: 'Reset authenticator app',
      outcome: 'mfa-reset',
      apply: (request: FastifyRequest, person: StaffMember) =>
        staff.resetMfa(administratorOf(viewerOf(request)), person.id),
    },
    {
      name: 'deactivate',
      path: staffPaths.deactivate,
      template: 'auth/views/staff-deactivate.njk',
      pageTitle: 'Deactivate account',
      outcome: 'deactivated',
      apply: (request: FastifyRequest, person: StaffMember) =>
        staff.setActive(administratorOf(viewerOf(request)), person.id, false),
    },
    {
      name: 'reactivate',
      path: staffPaths.reactivate,
      template: 'auth/views/staff-reactivate.njk',
      pageTitle: 'Reactivate account',
      outcome: 'reactivated',
      apply: (request: FastifyRequest, person: StaffMember) =>
        staff.setActive(administratorOf(viewerOf(request)), person.id, true),
    },
  ] as const satisfies readonly Confirmation[];

  for (const confirmation of confirmations) {
    const render = (reply: FastifyReply, status: number, person: StaffMember, errors?: FormErrors) =>
      reply.code(status).render(confirmation.template, {
        pageTitle: confirmation.pageTitle,
        backLink: staffPaths.show(person.id),
        action: confirmation.path(person.id),
        cancel: staffPaths.show(person.id),
        confirmButton,
        person,
        errors,
      });

    app.get(`/admin/staff/:id/${confirmation.name}`, { config: adminOnly }, async (request, reply) => {
      const person = await personOf(request);
      if (person === undefined) return reply.callNotFound();
      return render(reply, 200, person);
    });

    app.post(`/admin/staff/:id/${confirmation.name}`, { config: adminOnly }, async (request, reply) => {
      const person = await personOf(request);
      if (person === undefined) return reply.callNotFound();
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok) return render(reply, 400, person, linkedTo(form.errors, confirmButton));
      try {
        await confirmation.apply(request, person);
        return await reply.redirect(`${staffPaths.show(person.id)}?done=${confirmation.outcome}`, 303);
      } catch (error) {
        if (error instanceof StaffNotFoundError) return reply.callNotFound();
        if (error instanceof StaffRuleError) return render(reply, 400, person, ruleErrors(error, []));
        throw error;
      }
    });
  }
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

function viewerOf(request: FastifyRequest) {
  // Admin routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined)
    throw new Error('staff administration reached without a signed-in viewer');
  return request.viewer;
}

/**
 * A service rule's message on its field when the form has that field; otherwise in the summary,
 * linking to the form's first field (or the confirmation button).
 */
function ruleErrors(error: StaffRuleError, fields: readonly string[]): FormErrors {
  if (fields.includes(error.field)) return fieldError(error.field, error.message);
  return { summary: [{ text: error.message, href: `#${fields[0] ?? confirmButton}` }], fields: {} };
}

/** A date input's errors link to its first box (the day), as the GOV.UK date input pattern asks. */
function toFirstDatePart(errors: FormErrors, field: string): FormErrors {
  return {
    ...errors,
    summary: errors.summary.map((entry) =>
      entry.href === `#${field}` ? { ...entry, href: `#${field}-day` } : entry,
    ),
  };
}

/** Errors about fields a page does not show, pointed at something on the page. */
function linkedTo(errors: FormErrors, target: string): FormErrors {
  return { summary: errors.summary.map((entry) => ({ ...entry, href: `#${target}` })), fields: {} };
}

/**
 * What was typed, to show again beside the errors: text fields as text, roles as a list. Passwords
 * are never sent back to the browser.
 */
function answersOf(body: unknown, fields: readonly string[]): Record<string, unknown> {
  const answers: Record<string, unknown> = { roles: [] as Role[] };
  if (body === null || typeof body !== 'object') return answers;
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key) || key === 'password') continue;
    if (key === 'roles')
      answers['roles'] = [value].flat().filter((role): role is string => typeof role === 'string');
    else if (typeof value === 'string') answers[key] = value;
  }
  return answers;
}
