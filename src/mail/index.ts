export { createMailer } from './mailer.ts';
export { mailService } from './mail.service.ts';
export { mailRoutes } from './mail.routes.ts';
