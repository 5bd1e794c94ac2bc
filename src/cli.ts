import { Command, CommanderError } from 'commander';
import { auditCommands } from './cli/audit.ts';
import { databaseCommands } from './cli/database.ts';
import { demoCommands } from './cli/demo.ts';
import { jobsCommands } from './cli/jobs.ts';
import { keysCommands } from './cli/keys.ts';
import { methodCommands } from './cli/method.ts';
import { subjectCommands } from './cli/subject.ts';
import { userCommands } from './cli/user.ts';

/** `npx safeshare <command>`: operations for the people who run Safeshare. Every command has --help. */
const program = new Command()
  .name('safeshare')
  .description("Safeshare: lawful, recorded, provable information sharing for children's services")
  .showHelpAfterError()
  .exitOverride();

databaseCommands(program);
userCommands(program);
auditCommands(program);
demoCommands(program);
jobsCommands(program);
keysCommands(program);
methodCommands(program);
subjectCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`safeshare: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
