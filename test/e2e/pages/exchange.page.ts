import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The practitioner's form: a message and files from a recorded decision, to one of its recipients. */
export class SendPackagePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SendPackagePage> {
    await verifyHeading(page, 'Send through the secure exchange');
    return new SendPackagePage(page);
  }

  async attach(files: readonly { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    await this.page.getByLabel('Files (optional)').setInputFiles([...files]);
  }

  async send(): Promise<void> {
    await this.clickButton('Send securely');
  }
}

/** The link from the e-mail, before a code: the recipient gives the address it came to. */
export class RecipientAddressPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<RecipientAddressPage> {
    await verifyHeading(page, 'Open information sent to you securely');
    return new RecipientAddressPage(page);
  }

  async askForCode(address: string): Promise<void> {
    await this.fill('Your email address', address);
    await this.clickButton('Send me a code');
  }
}

export class RecipientCodePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<RecipientCodePage> {
    await verifyHeading(page, 'Enter the code we sent you');
    return new RecipientCodePage(page);
  }

  async enterCode(code: string): Promise<void> {
    await this.fill('Code', code);
    await this.clickButton('Continue');
  }
}

/** The package as its recipient reads it, with the way to reply. */
export class ReceivedPackagePage extends SafesharePage {
  static async verifyOnPage(page: Page, senderName: string): Promise<ReceivedPackagePage> {
    await verifyHeading(page, `Information from ${senderName}`);
    return new ReceivedPackagePage(page);
  }

  async reply(
    message: string,
    files: readonly { name: string; mimeType: string; buffer: Buffer }[],
  ): Promise<void> {
    await this.fill('Your reply', message);
    await this.page.getByLabel('Files (optional)').setInputFiles([...files]);
    await this.clickButton('Send reply');
  }
}

/** A file shown view only: its pages as watermarked pictures. */
export class ViewOnlyPage extends SafesharePage {
  static async verifyOnPage(page: Page, fileName: string): Promise<ViewOnlyPage> {
    await verifyHeading(page, fileName);
    return new ViewOnlyPage(page);
  }

  /** The widths of the pages' pictures as drawn, once each has loaded (0 for one that did not). */
  async pageWidths(): Promise<number[]> {
    const pictures = this.main.getByRole('img');
    const count = await pictures.count();
    const widths: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const picture = pictures.nth(index);
      await picture.scrollIntoViewIfNeeded();
      // Typed as the little they use, so that this file needs no DOM types: they run in the page.
      await picture.evaluate((img: unknown) => (img as { decode(): Promise<void> }).decode());
      widths.push(await picture.evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth));
    }
    return widths;
  }
}

/** A link that no longer opens anything: expired, withdrawn, used up or unknown. */
export class UnavailablePage extends SafesharePage {
  static async verifyOnPage(page: Page, title: string): Promise<UnavailablePage> {
    await verifyHeading(page, title);
    return new UnavailablePage(page);
  }
}
