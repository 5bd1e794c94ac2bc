import { describe, expect, it } from 'vitest';
import { roles, type Role } from '../lib/roles.ts';
import type { Viewer } from '../lib/viewer.ts';
import { morePath, navigationFor, pagesFor } from './navigation.ts';

function viewer(viewerRoles: readonly Role[]): Viewer {
  return {
    userId: '7d0c6f0e-3f57-4a55-9d1c-0d6c2f0b9a11',
    displayName: 'Priya Sharma',
    email: 'priya.sharma@swindon.gov.uk',
    organisationId: 'a8b0f0b4-8f0e-4a57-b0d5-1f3c1e7f6c22',
    organisationName: 'Swindon Borough Council',
    roles: viewerRoles,
  };
}

type Item = ReturnType<typeof navigationFor>[number];

/** What a screen reader announces for an item: its text, or its markup without the tags. */
function nameOf(item: Item): string {
  return 'text' in item ? item.text : item.html.replace(/<[^>]*>/g, '');
}

function shownOf(item: Item): string {
  return 'text' in item
    ? item.text
    : item.html.replace(/<span class="govuk-visually-hidden">[^<]*<\/span>/g, '');
}

describe('the main navigation', () => {
  it('gives a practitioner their own work first, under the names the pages have', () => {
    expect(navigationFor(viewer(['practitioner']), '/').map(nameOf)).toEqual([
      'Home',
      'Notifications',
      'People',
      // The hidden "Sharing " before the visible "Decisions".
      'Sharing Decisions',
      'Consent reviews',
      'Receipts',
      'Misdirected information',
      'Incidents',
      'More',
    ]);
  });

  it('shows shorter labels where a name is long, and keeps the whole name for screen readers', () => {
    const items = navigationFor(viewer(['practitioner']), '/');
    expect(items.map(shownOf)).toEqual([
      'Home',
      'Notifications',
      'People',
      'Decisions',
      'Consent',
      'Receipts',
      'Misdirected',
      'Incidents',
      'More',
    ]);
    // Every visible label is within its accessible name (WCAG 2.5.3, label in name).
    for (const item of items) expect(nameOf(item).toLowerCase()).toContain(shownOf(item).toLowerCase());
  });

  it("leads with each role's own work", () => {
    const names = (roleList: readonly Role[]) => navigationFor(viewer(roleList), '/').map(nameOf);
    expect(names(['manager'])).toEqual(
      expect.arrayContaining(['Your team', 'Approvals', 'Advice requests', 'Consent reviews']),
    );
    expect(names(['caldicott_guardian'])).toEqual(expect.arrayContaining(['Approvals', 'Advice requests']));
    expect(names(['dpo'])).toEqual(expect.arrayContaining(['Incidents', 'Approvals', 'Audit trail']));
    expect(names(['it_service_desk'])).toEqual(
      expect.arrayContaining(['Incidents', 'Media', 'Email outbox']),
    );
    expect(names(['admin'])).toEqual(expect.arrayContaining(['Staff', 'Partner directory', 'Email outbox']));
    expect(names(['auditor'])).toEqual(expect.arrayContaining(['Audit trail']));
  });

  it('keeps everything a viewer may open reachable: in the bar, or on the More page', () => {
    for (const roleList of [...roles.map((role) => [role]), [...roles]] as Role[][]) {
      const inBar = navigationFor(viewer(roleList), '/').map((item) => item.href);
      const onMore = pagesFor(viewer(roleList)).flatMap((group) => group.pages.map((page) => page.href));
      // The More page lists everything, the bar's items included.
      for (const href of inBar.filter((href) => href !== '/' && href !== morePath))
        expect(onMore).toContain(href);
      expect(inBar.includes(morePath), roleList.join()).toBe(onMore.some((href) => !inBar.includes(href)));
    }
    // Pages are listed only to those who may open them.
    const practitionerPages = pagesFor(viewer(['practitioner'])).flatMap((group) =>
      group.pages.map((page) => page.href),
    );
    expect(practitionerPages).not.toContain('/approvals');
    expect(practitionerPages).not.toContain('/admin/staff');
    expect(practitionerPages).toContain('/off-site');
  });

  it('marks More as where the viewer is on a page the bar has no room for, and on the More page', () => {
    const activeOn = (path: string) =>
      navigationFor(viewer(['practitioner']), path)
        .filter((item) => item.active)
        .map(nameOf);
    expect(activeOn('/off-site/new')).toEqual(['More']);
    expect(activeOn(morePath)).toEqual(['More']);
    expect(activeOn('/decisions/5b0c1b9e-1d3c-4f0e-9a4c-3f1e2d7c8b90')).toEqual(['Sharing Decisions']);
    expect(activeOn('/')).toEqual(['Home']);
  });

  it('counts unread notifications without moving other items out of the bar', () => {
    const without = navigationFor(viewer(['manager', 'dpo']), '/').map((item) => item.href);
    const withMany = navigationFor(viewer(['manager', 'dpo']), '/', 999);
    expect(withMany.map((item) => item.href)).toEqual(without);
    expect(withMany.map(nameOf)).toContain('Notifications (999)');
  });

  it('is empty for someone not signed in', () => {
    expect(navigationFor(undefined, '/')).toEqual([]);
  });
});
