import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

export class StaffListPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<StaffListPage> {
    await page.waitForURL('**/admin/staff');
    await verifyHeading(page, 'Staff');
    return new StaffListPage(page);
  }

  async createMemberOfStaff(): Promise<void> {
    const name = 'Create a member of staff';
    await this.page.getByRole('button', { name }).or(this.page.getByRole('link', { name })).click();
  }
}

export interface NewStaffAnswers {
  readonly fullName: string;
  readonly email: string;
  readonly role: string;
  readonly firstPassword: string;
}

export class StaffNewPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<StaffNewPage> {
    await verifyHeading(page, 'Create a member of staff');
    return new StaffNewPage(page);
  }

  async fillIn(answers: NewStaffAnswers): Promise<void> {
    await this.page.getByLabel('Full name').fill(answers.fullName);
    await this.page.getByLabel('Email address').fill(answers.email);
    await this.page.getByLabel(answers.role).check();
    await this.setFirstPassword(answers.firstPassword);
  }

  async setFirstPassword(password: string): Promise<void> {
    await this.page.getByLabel('First password', { exact: true }).fill(password);
  }

  async createAccount(): Promise<void> {
    await this.clickButton('Create account');
  }
}

export class StaffShowPage extends SafesharePage {
  static async verifyOnPage(page: Page, displayName: string): Promise<StaffShowPage> {
    await page.waitForURL(/\/admin\/staff\/[0-9a-f-]{36}/);
    await verifyHeading(page, displayName);
    return new StaffShowPage(page);
  }
}
