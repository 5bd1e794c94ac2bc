import type { Viewer } from '../lib/viewer.ts';
import { allows, type Access } from './access.ts';

interface NavigationItem {
  readonly text: string;
  readonly href: string;
  readonly access: Access;
}

/** The main navigation: each item shows only to those who may open it. */
const items: readonly NavigationItem[] = [
  { text: 'Home', href: '/', access: 'staff' },
  { text: 'Notifications', href: '/notifications', access: 'staff' },
  { text: 'People', href: '/people', access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] },
  {
    text: 'Consent reviews',
    href: '/consents/reviews',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'],
  },
  {
    text: 'Sharing decisions',
    href: '/decisions',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'],
  },
  { text: 'Your team', href: '/team', access: ['manager'] },
  {
    text: 'Advice requests',
    href: '/advice',
    access: ['manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser'],
  },
  { text: 'Approvals', href: '/approvals', access: ['manager', 'caldicott_guardian', 'ig_lead', 'dpo'] },
  {
    text: 'Receipts',
    href: '/disclosures/receipts',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian', 'ig_lead'],
  },
  {
    text: 'Misdirected information',
    href: '/misdirected',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian', 'ig_lead'],
  },
  // Personal information taken out of the building (R4.3): anyone signed in logs it.
  { text: 'Off site', href: '/off-site', access: 'staff' },
  // Removable media and devices holding personal information (R4.7).
  { text: 'Media', href: '/media', access: 'staff' },
  // Packages other organisations sent to the viewer's address (a hosted partner's staff).
  { text: 'Received', href: '/exchange/received', access: 'staff' },
  // Anyone signed in reports an incident from any page (R5.1): the register starts with the button.
  { text: 'Incidents', href: '/incidents', access: 'staff' },
  { text: 'Staff', href: '/admin/staff', access: ['admin'] },
  { text: 'Partner directory', href: '/admin/organisations', access: ['admin', 'platform_operator'] },
  { text: 'Email outbox', href: '/admin/outbox', access: ['admin', 'it_service_desk'] },
  { text: 'Audit trail', href: '/audit', access: ['auditor', 'dpo'] },
];

export function navigationFor(viewer: Viewer | undefined, currentPath: string, unreadNotifications?: number) {
  if (viewer === undefined) return [];
  return items
    .filter((item) => allows(item.access, viewer))
    .map((item) => ({
      text:
        item.href === '/notifications' && unreadNotifications !== undefined && unreadNotifications > 0
          ? `${item.text} (${unreadNotifications})`
          : item.text,
      href: item.href,
      active:
        item.href === '/'
          ? currentPath === '/'
          : currentPath === item.href || currentPath.startsWith(`${item.href}/`),
    }));
}
