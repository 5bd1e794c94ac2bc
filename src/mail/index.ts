export {
  createMailer,
  outboxFolderOf,
  smtpOptionsOf,
  type Mailer,
  type MailSettings,
  type OutgoingMail,
} from './mailer.ts';
export {
  describeMailFailure,
  maxAttempts,
  retryDelayMinutes,
  type DeliveryFailure,
  type DeliveryReport,
} from './mail.delivery.ts';
export {
  mailService,
  outboxPageSize,
  type MailService,
  type OutboxEntry,
  type OutboxStatus,
} from './mail.service.ts';
export { mailRoutes } from './mail.routes.ts';
export { outboxPaths } from './mail.paths.ts';
