import type { Page } from 'playwright-core';

/**
 * What a journey costs a practitioner: the pages they load and the characters they type. Pages are
 * counted as the main frame navigates; typing as the length of each text field's final value, per
 * page address and field name (retyping after an error counts once), read from the page itself so
 * that every way of typing is counted.
 */
export interface Effort {
  /** Starts counting on the page the browser is on now (it counts as the first). */
  start(): Promise<void>;
  /** The pages seen (the first included) and the characters typed since `start`. */
  read(): Promise<{ readonly pages: number; readonly typed: number }>;
}

const recordTyping = `
  document.addEventListener('input', (event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
    if (field instanceof HTMLInputElement && !['text', 'email', 'tel', 'search', 'number', ''].includes(field.type)) return;
    const typed = JSON.parse(sessionStorage.getItem('safeshare-typed') || '{}');
    typed[location.pathname + '|' + field.name] = field.value.length;
    sessionStorage.setItem('safeshare-typed', JSON.stringify(typed));
  }, true);
`;

export async function measureEffort(page: Page): Promise<Effort> {
  await page.addInitScript(recordTyping);
  let pages = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) pages += 1;
  });
  return {
    async start() {
      pages = 0;
      await page.evaluate(`sessionStorage.removeItem('safeshare-typed')`);
    },
    async read() {
      const typed = await page.evaluate<number>(
        `Object.values(JSON.parse(sessionStorage.getItem('safeshare-typed') || '{}')).reduce((sum, length) => sum + length, 0)`,
      );
      return { pages: pages + 1, typed };
    },
  };
}
