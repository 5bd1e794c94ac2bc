import { Option, type Command } from 'commander';
import { systemActor } from '../audit/index.ts';
import { isRole, roles, type Role } from '../auth/index.ts';
import { isDomainError } from '../lib/errors.ts';
import { organisationKinds, type OrganisationKind } from '../orgs/index.ts';
import { withSafeshare } from './context.ts';

/** `safeshare organisation create` and `safeshare user create`: bootstrap a deployment without demo data. */
export function userCommands(program: Command): void {
  const organisation = program
    .command('organisation')
    .description('The organisations in the partner directory');
  organisation
    .command('create')
    .description('Add an organisation to the directory (use --hosted for one whose staff use this Safeshare)')
    .requiredOption('--name <name>', "the organisation's name")
    .addOption(
      new Option('--kind <kind>', 'what kind of organisation')
        .choices(organisationKinds)
        .makeOptionMandatory(),
    )
    .option('--switchboard <number>', 'its published switchboard number')
    .option('--hosted', 'its staff sign in to this deployment', false)
    .action(
      async (options: { name: string; kind: OrganisationKind; switchboard?: string; hosted: boolean }) => {
        await withSafeshare(async ({ services }) => {
          const id = await services.orgs
            .create(systemActor, {
              name: options.name.trim(),
              kind: options.kind,
              switchboardPhone: options.switchboard ?? null,
              hosted: options.hosted,
            })
            .catch(explain);
          console.log(`created organisation ${id}`);
        });
      },
    );
  organisation
    .command('list')
    .description('List the organisations in the directory')
    .action(async () => {
      await withSafeshare(async ({ services }) => {
        for (const entry of await services.orgs.list())
          console.log(`${entry.id}  ${entry.hosted ? 'hosted ' : 'partner'}  ${entry.name}`);
      });
    });

  const user = program.command('user').description('Staff accounts');
  user
    .command('create')
    .description(
      'Create a member of staff. The password is read from SAFESHARE_PASSWORD, never from the command line.',
    )
    .requiredOption('--email <email>', 'work email address')
    .requiredOption('--name <name>', 'full name')
    .requiredOption(
      '--organisation <id>',
      'the id of a hosted organisation (see: safeshare organisation list)',
    )
    .option('--roles <roles>', `comma-separated roles: ${roles.join(', ')}`, '')
    .option(
      '--platform-operator',
      'also give the platform operator role: keeps the partner directory every hosted organisation shares (an administrator cannot give it)',
      false,
    )
    .option('--job-title <title>', 'job title')
    .action(
      async (options: {
        email: string;
        name: string;
        organisation: string;
        roles: string;
        platformOperator: boolean;
        jobTitle?: string;
      }) => {
        const password = process.env['SAFESHARE_PASSWORD'];
        if (password === undefined || password === '')
          throw new Error("set SAFESHARE_PASSWORD to the new account's first password");
        const listed = options.roles
          .split(',')
          .map((role) => role.trim())
          .filter((role) => role !== '');
        const chosen = [...new Set(options.platformOperator ? [...listed, 'platform_operator'] : listed)];
        if (chosen.length === 0)
          throw new Error(`give at least one role with --roles (${roles.join(', ')}) or --platform-operator`);
        const unknown = chosen.filter((role) => !isRole(role));
        if (unknown.length > 0)
          throw new Error(`unknown role(s): ${unknown.join(', ')}; choose from ${roles.join(', ')}`);
        await withSafeshare(async ({ services }) => {
          const id = await services.staff
            .create(systemActor, {
              email: options.email,
              displayName: options.name.trim(),
              organisationId: options.organisation,
              roles: chosen as Role[],
              jobTitle: options.jobTitle ?? null,
              lineManagerId: null,
              password,
            })
            .catch(explain);
          console.log(
            `created user ${id}; at first sign-in they choose their own password, then enrol their authenticator app`,
          );
        });
      },
    );
}

function explain(error: unknown): never {
  // A refusal (a broken rule, an unknown organisation) is told in its own words, without a stack.
  if (isDomainError(error)) throw new Error(error.message);
  throw error;
}
