import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RuleError } from '../lib/errors.ts';
import { anchorDates, linkedTo, parseForm, ruleErrors, viewerOf, type FormErrors } from '../web/forms.ts';
import { administratorOf } from './staff.authority.ts';
import { adminOnly, personOf, staffAnswers, staffPaths } from './staff.pages.ts';
import {
  confirmationForm,
  resetPasswordForm,
  trainingDateField,
  trainingFields,
  trainingForm,
  type StaffOutcome,
} from './staff.schema.ts';
import type { StaffMember, StaffService } from './staff.service.ts';

interface Confirmation {
  readonly name: string;
  readonly path: (id: string) => string;
  readonly template: string;
  readonly pageTitle: string;
  readonly outcome: StaffOutcome;
  readonly action: string;
  readonly apply: (request: FastifyRequest, person: StaffMember) => Promise<void>;
}

/** The id a confirmation page's button carries, so an error summary has somewhere to link. */
const confirmButton = 'confirm';

/**
 * Changes to one member of staff's account: a new password, their data protection training, and the
 * confirmed changes (reset their authenticator app, deactivate, reactivate).
 */
export async function staffAccountRoutes(
  app: FastifyInstance,
  options: { readonly staff: StaffService },
): Promise<void> {
  const { staff } = options;

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

  app.get('/admin/staff/:id/reset-password', { config: adminOnly('none') }, async (request, reply) => {
    const person = await personOf(staff, request);
    if (person === undefined) return reply.callNotFound();
    return renderResetPassword(reply, 200, person);
  });

  app.post(
    '/admin/staff/:id/reset-password',
    { config: adminOnly(['user.password_reset']) },
    async (request, reply) => {
      const person = await personOf(staff, request);
      if (person === undefined) return reply.callNotFound();
      const form = parseForm(resetPasswordForm, request.body);
      if (!form.ok) return renderResetPassword(reply, 400, person, form.errors);
      try {
        await staff.resetPassword(administratorOf(viewerOf(request)), person.id, form.value.password);
        return await reply.redirect(`${staffPaths.show(person.id)}?done=password-reset`, 303);
      } catch (error) {
        if (error instanceof RuleError)
          return renderResetPassword(reply, 400, person, ruleErrors(error, ['password']));
        throw error;
      }
    },
  );

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
      errors: errors === undefined ? undefined : anchorDates(errors, [trainingDateField]),
    });
  }

  app.get('/admin/staff/:id/training', { config: adminOnly('none') }, async (request, reply) => {
    const person = await personOf(staff, request);
    if (person === undefined) return reply.callNotFound();
    return renderTraining(reply, 200, person, {});
  });

  app.post(
    '/admin/staff/:id/training',
    { config: adminOnly(['user.training_recorded']) },
    async (request, reply) => {
      const person = await personOf(staff, request);
      if (person === undefined) return reply.callNotFound();
      const form = parseForm(trainingForm({ today: staff.today() }), request.body);
      const values = staffAnswers(request.body, trainingFields);
      if (!form.ok) return renderTraining(reply, 400, person, values, form.errors);
      try {
        await staff.recordTraining(administratorOf(viewerOf(request)), person.id, form.value.completedOn);
        return await reply.redirect(`${staffPaths.show(person.id)}?done=training-recorded`, 303);
      } catch (error) {
        if (error instanceof RuleError)
          return renderTraining(reply, 400, person, values, ruleErrors(error, [trainingDateField]));
        throw error;
      }
    },
  );

  /** Reset MFA, deactivate and reactivate: a confirmation page, then a POST that makes the change. */
  const confirmations = [
    {
      name: 'reset-mfa',
      path: staffPaths.resetMfa,
      template: 'auth/views/staff-reset-mfa.njk',
      pageTitle: 'Reset authenticator app',
      outcome: 'mfa-reset',
      action: 'user.mfa_reset',
      apply: (request: FastifyRequest, person: StaffMember) =>
        staff.resetMfa(administratorOf(viewerOf(request)), person.id),
    },
    {
      name: 'deactivate',
      path: staffPaths.deactivate,
      template: 'auth/views/staff-deactivate.njk',
      pageTitle: 'Deactivate account',
      outcome: 'deactivated',
      action: 'user.deactivated',
      apply: (request: FastifyRequest, person: StaffMember) =>
        staff.setActive(administratorOf(viewerOf(request)), person.id, false),
    },
    {
      name: 'reactivate',
      path: staffPaths.reactivate,
      template: 'auth/views/staff-reactivate.njk',
      pageTitle: 'Reactivate account',
      outcome: 'reactivated',
      action: 'user.reactivated',
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

    app.get(
      `/admin/staff/:id/${confirmation.name}`,
      { config: adminOnly('none') },
      async (request, reply) => {
        const person = await personOf(staff, request);
        if (person === undefined) return reply.callNotFound();
        return render(reply, 200, person);
      },
    );

    app.post(
      `/admin/staff/:id/${confirmation.name}`,
      { config: adminOnly([confirmation.action]) },
      async (request, reply) => {
        const person = await personOf(staff, request);
        if (person === undefined) return reply.callNotFound();
        const form = parseForm(confirmationForm, request.body);
        if (!form.ok) return render(reply, 400, person, linkedTo(form.errors, confirmButton));
        try {
          await confirmation.apply(request, person);
          return await reply.redirect(`${staffPaths.show(person.id)}?done=${confirmation.outcome}`, 303);
        } catch (error) {
          // The page has no field: every problem is linked to its button.
          if (error instanceof RuleError)
            return render(reply, 400, person, ruleErrors(error, [confirmButton]));
          throw error;
        }
      },
    );
  }
}
