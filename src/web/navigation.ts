import { roles, type Role } from '../lib/roles.ts';
import type { Viewer } from '../lib/viewer.ts';
import { allows, type Access } from './access.ts';

/** The page that lists everything the viewer may open: the main navigation's last item. */
export const morePath = '/more';

type Group = 'work' | 'oversight' | 'safety' | 'running';

interface NavigationItem {
  /** What it is called: the link's accessible name, and its name on the More page. */
  readonly name: string;
  /**
   * A shorter label for the navigation bar, where the rest of the name is read out but not shown
   * (the accessible name still contains the visible words, WCAG 2.5.3).
   */
  readonly short?: { readonly hiddenBefore?: string; readonly shown: string; readonly hiddenAfter?: string };
  readonly href: string;
  readonly access: Access;
  readonly group: Group;
  /** What it is for, on the More page. */
  readonly description: string;
}

const sharingRoles = ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const;

/** Every page of the navigation, in the order they are shown; each shows only to those who may open it. */
const items: readonly NavigationItem[] = [
  {
    name: 'Notifications',
    href: '/notifications',
    access: 'staff',
    group: 'work',
    description: 'What Safeshare has told you: answers, approvals, reminders and incidents.',
  },
  {
    name: 'People',
    href: '/people',
    access: sharingRoles,
    group: 'work',
    description: 'Find a child or family member, see your caseload, and add people and their relationships.',
  },
  {
    name: 'Sharing decisions',
    short: { hiddenBefore: 'Sharing ', shown: 'Decisions' },
    href: '/decisions',
    access: sharingRoles,
    group: 'work',
    description:
      'Decide whether to share, following the seven golden rules; your drafts and recorded decisions.',
  },
  {
    name: 'Consent reviews',
    short: { shown: 'Consent', hiddenAfter: ' reviews' },
    href: '/consents/reviews',
    access: sharingRoles,
    group: 'work',
    description: 'Consent whose review is overdue or due in the next 30 days.',
  },
  {
    name: 'Your team',
    href: '/team',
    access: ['manager'],
    group: 'oversight',
    description: 'The people who report to you, and whether their data protection training is current.',
  },
  {
    name: 'Advice requests',
    short: { shown: 'Advice', hiddenAfter: ' requests' },
    href: '/advice',
    access: ['manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser'],
    group: 'oversight',
    description:
      'Questions practitioners have asked you about sharing, most often without the child’s identity.',
  },
  {
    name: 'Approvals',
    href: '/approvals',
    access: ['manager', 'caldicott_guardian', 'ig_lead', 'dpo'],
    group: 'oversight',
    description: 'Sharing on public-interest grounds and bulk sharing waiting for your approval.',
  },
  {
    name: 'Receipts',
    href: '/disclosures/receipts',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian', 'ig_lead'],
    group: 'work',
    description: 'Information sent whose receipt the recipient has not yet confirmed, overdue ones first.',
  },
  {
    name: 'Misdirected information',
    short: { shown: 'Misdirected', hiddenAfter: ' information' },
    href: '/misdirected',
    access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian', 'ig_lead'],
    group: 'work',
    description: 'Log information that reached you by mistake, and what you did about it.',
  },
  // The register of sharing agreements and DPIAs (the ICO data sharing code): read by everyone.
  {
    name: 'Agreements',
    href: '/agreements',
    access: 'staff',
    group: 'work',
    description: 'The sharing agreements and DPIAs regular sharing rests on, and what each allows.',
  },
  // Personal information taken out of the building (R4.3): anyone signed in logs it.
  {
    name: 'Off site',
    href: '/off-site',
    access: 'staff',
    group: 'safety',
    description: 'Log personal information before you take it out of the building, and its return.',
  },
  // Removable media and devices holding personal information (R4.7).
  {
    name: 'Media',
    href: '/media',
    access: 'staff',
    group: 'safety',
    description:
      'Register memory sticks, drives and devices holding personal information, and their disposal.',
  },
  // Packages other organisations sent to the viewer's address (a hosted partner's staff).
  {
    name: 'Received',
    href: '/exchange/received',
    access: 'staff',
    group: 'work',
    description: 'Secure exchange packages other organisations sent to you.',
  },
  // Anyone signed in reports an incident (R5.1): the register starts with the button.
  {
    name: 'Incidents',
    href: '/incidents',
    access: 'staff',
    group: 'safety',
    description: 'Report a loss or a breach at once, and follow the incidents you may see.',
  },
  {
    name: 'Staff',
    href: '/admin/staff',
    access: ['admin'],
    group: 'running',
    description:
      'Accounts, roles and line managers of your organisation’s staff; passwords, authenticators, leavers.',
  },
  {
    name: 'Partner directory',
    href: '/admin/organisations',
    access: ['admin', 'platform_operator'],
    group: 'running',
    description:
      'Organisations, their e-mail domains, switchboard and fax numbers, addresses and trusted links.',
  },
  {
    name: 'Email outbox',
    href: '/admin/outbox',
    access: ['admin', 'it_service_desk'],
    group: 'running',
    description: 'Every e-mail Safeshare has sent or is sending, and any that failed.',
  },
  // R6.1: what needs action across the organisation, and its sharing in charts (src/oversight).
  {
    name: 'Oversight dashboard',
    short: { shown: 'Dashboard', hiddenBefore: 'Oversight ' },
    href: '/oversight',
    access: ['dpo', 'ig_lead', 'caldicott_guardian', 'auditor'],
    group: 'oversight',
    description: 'What needs action across the organisation, and its sharing by month, method and recipient.',
  },
  {
    name: 'All sharing decisions',
    href: '/oversight/decisions',
    access: ['dpo', 'ig_lead', 'caldicott_guardian', 'auditor', 'manager'],
    group: 'oversight',
    description:
      'Every recorded sharing decision of the organisation (a line manager: of their team), filtered and exported.',
  },
  {
    name: 'All disclosures',
    href: '/oversight/disclosures',
    access: ['dpo', 'ig_lead', 'caldicott_guardian', 'auditor', 'manager'],
    group: 'oversight',
    description:
      'Every disclosure logged in the organisation (a line manager: by their team), filtered and exported.',
  },
  {
    name: 'Audit trail',
    href: '/audit',
    access: ['auditor', 'dpo'],
    group: 'oversight',
    description:
      'Every change and every read of a sensitive record, and a check that nothing has been altered.',
  },
  // Subject access requests (UK GDPR Art 15): kept by the DPO and the IG lead, each with its deadline.
  {
    name: 'Subject access requests',
    short: { hiddenBefore: 'Subject ', shown: 'Access requests' },
    href: '/subject-access',
    access: ['dpo', 'ig_lead'],
    group: 'oversight',
    description:
      'Requests for what Safeshare holds about someone, their deadlines, and the report that answers each.',
  },
  // Storage limitation (ADR 0033): records due under the retention schedule, legal holds, disposals.
  {
    name: 'Retention',
    href: '/retention',
    access: ['dpo', 'ig_lead'],
    group: 'oversight',
    description:
      'Records due for review or disposal under the retention schedule, legal holds, and disposals to approve.',
  },
];

/**
 * Each role's own work first: what goes in the navigation bar, most used first. The rest of what a
 * viewer may open is on the More page.
 */
const firstFor: Readonly<Record<Role, readonly string[]>> = {
  practitioner: [
    '/people',
    '/decisions',
    '/consents/reviews',
    '/disclosures/receipts',
    '/misdirected',
    '/incidents',
  ],
  manager: [
    '/team',
    '/approvals',
    '/advice',
    '/consents/reviews',
    '/people',
    '/decisions',
    '/disclosures/receipts',
  ],
  dpo: [
    '/oversight',
    '/incidents',
    '/approvals',
    '/advice',
    '/consents/reviews',
    '/audit',
    '/people',
    '/decisions',
  ],
  caldicott_guardian: [
    '/oversight',
    '/approvals',
    '/advice',
    '/incidents',
    '/people',
    '/decisions',
    '/consents/reviews',
  ],
  ig_lead: [
    '/oversight',
    '/agreements',
    '/approvals',
    '/advice',
    '/incidents',
    '/disclosures/receipts',
    '/misdirected',
    '/off-site',
  ],
  child_protection_adviser: ['/advice', '/incidents', '/off-site', '/media'],
  it_service_desk: ['/incidents', '/media', '/admin/outbox', '/off-site'],
  auditor: ['/oversight', '/audit', '/oversight/decisions', '/oversight/disclosures', '/incidents'],
  admin: ['/admin/staff', '/admin/organisations', '/admin/outbox', '/incidents'],
  platform_operator: ['/admin/organisations', '/incidents'],
};

/**
 * The navigation bar holds one row at desktop widths: GOV.UK Frontend's page is 960 pixels wide,
 * its navigation links are 19-pixel GDS Transport (about 9 pixels a character; measured 8.6 on
 * average) with 30 pixels between them. Items are added in priority order while they fit, counting
 * the unread notifications as three digits, so that a new notification never pushes an item out.
 */
const rowWidth = 960;
const itemGap = 30;
const characterWidth = 9;
const widthOf = (label: string) => label.length * characterWidth + itemGap;

const home = { name: 'Home', href: '/' } as const;
const more = { name: 'More', href: morePath } as const;

function shownLabel(item: { readonly name: string; readonly short?: NavigationItem['short'] }): string {
  return item.short?.shown ?? item.name;
}

/** The items the viewer may open, and the ones among them that go in the navigation bar. */
function arrange(viewer: Viewer): { open: NavigationItem[]; inBar: Set<NavigationItem> } {
  const open = items.filter((item) => allows(item.access, viewer));
  const notifications = open.find((item) => item.href === '/notifications');
  // Each of the viewer's roles in turn gives its next item, so that every role's own work comes early.
  const lists = roles.filter((role) => viewer.roles.includes(role)).map((role) => firstFor[role]);
  const wanted: string[] = [];
  for (let index = 0; lists.some((list) => index < list.length); index += 1)
    for (const list of lists) {
      const href = list[index];
      if (href !== undefined && !wanted.includes(href)) wanted.push(href);
    }
  const inBar = new Set<NavigationItem>(notifications === undefined ? [] : [notifications]);
  // n items have n - 1 gaps between them.
  let width =
    -itemGap +
    widthOf(home.name) +
    (notifications === undefined ? 0 : widthOf(`${notifications.name} (999)`)) +
    widthOf(more.name);
  for (const href of wanted) {
    const item = open.find((candidate) => candidate.href === href);
    if (item === undefined) continue;
    const needed = widthOf(shownLabel(item));
    if (width + needed > rowWidth) break;
    width += needed;
    inBar.add(item);
  }
  return { open, inBar };
}

function isAt(href: string, currentPath: string): boolean {
  return href === '/' ? currentPath === '/' : currentPath === href || currentPath.startsWith(`${href}/`);
}

// The labels are this file's own words, with nothing to escape.
function hidden(text: string | undefined): string {
  return text === undefined ? '' : `<span class="govuk-visually-hidden">${text}</span>`;
}

/** The main navigation (GOV.UK service navigation items): Home, the viewer's own work, and More. */
export function navigationFor(viewer: Viewer | undefined, currentPath: string, unreadNotifications?: number) {
  if (viewer === undefined) return [];
  const { open, inBar } = arrange(viewer);
  const elsewhere = open.filter((item) => !inBar.has(item));
  // Where two items' addresses both lead to the page (/oversight and /oversight/decisions), the longer one is it.
  const deepestOf = (list: Iterable<NavigationItem>) =>
    [...list].filter((item) => isAt(item.href, currentPath)).sort((a, b) => b.href.length - a.href.length)[0];
  const deepestElsewhere = deepestOf(elsewhere);
  const deepestInBar = deepestOf(inBar);
  const deepest =
    deepestInBar !== undefined &&
    (deepestElsewhere === undefined || deepestInBar.href.length >= deepestElsewhere.href.length)
      ? deepestInBar
      : undefined;
  const bar = [
    { text: home.name, href: home.href, active: isAt(home.href, currentPath) },
    ...open
      .filter((item) => inBar.has(item))
      .map((item) => {
        const label =
          item.href === '/notifications' && unreadNotifications !== undefined && unreadNotifications > 0
            ? `${item.name} (${String(unreadNotifications)})`
            : item.name;
        const active = item === deepest;
        return item.short === undefined
          ? { text: label, href: item.href, active }
          : {
              html: `${hidden(item.short.hiddenBefore)}${item.short.shown}${hidden(item.short.hiddenAfter)}`,
              href: item.href,
              active,
            };
      }),
  ];
  if (elsewhere.length === 0) return bar;
  return [
    ...bar,
    {
      text: more.name,
      href: more.href,
      // A page reached from the More page keeps More marked as where the viewer is.
      active: isAt(more.href, currentPath) || (deepestElsewhere !== undefined && deepest === undefined),
    },
  ];
}

const groupHeadings: Readonly<Record<Group, string>> = {
  work: 'Your work',
  oversight: 'Advice and oversight',
  safety: 'Keeping information safe',
  running: 'Running Safeshare',
};

/** Every page the viewer may open, in groups, for the More page: it works without JavaScript. */
export function pagesFor(viewer: Viewer) {
  const { open } = arrange(viewer);
  return (Object.keys(groupHeadings) as Group[])
    .map((group) => ({
      heading: groupHeadings[group],
      pages: open
        .filter((item) => item.group === group)
        .map((item) => ({
          name: item.name,
          href: item.href,
          description: item.description,
        })),
    }))
    .filter((group) => group.pages.length > 0);
}
