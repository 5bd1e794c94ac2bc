import type { z } from 'zod';
import { checkText, multiline, singleLine, type TextShape } from './text.ts';

/**
 * The text rule (text.ts) as Zod checks, for the forms of the pages and the bodies of the API alike,
 * so that both refuse the same text with the same message.
 */

export { multiline, singleLine };
export type { TextShape };

/** A refinement that adds the text rule's message, naming the answer by `label`, to any string schema. */
export function textRule(label: string, shape: TextShape) {
  return (value: string, context: z.RefinementCtx): void => {
    const message = checkText(label, value, shape);
    if (message !== undefined) context.addIssue({ code: 'custom', message });
  };
}
