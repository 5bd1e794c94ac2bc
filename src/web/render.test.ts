import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { createTemplates } from './render.ts';

describe('the templates’ trim filter', () => {
  const ours = createTemplates();
  const theirs = new nunjucks.Environment(null, { autoescape: true });

  it('trims exactly as Nunjucks’ own filter does, keeping markup marked safe unescaped', () => {
    const context = {
      samples: [
        '',
        '   ',
        '  <a href="/">Home</a>  ',
        '\n\t <nav>\n  <ul>  </ul>\n</nav>\n\n',
        '\u00a0\u2003text\u3000\ufeff',
        'no spaces',
        '<b>escaped</b>   ',
      ],
    };
    const template = '{% for s in samples %}[{{ s | trim }}]{{ s | safe | trim }}|{% endfor %}.';
    expect(ours.renderString(template, context)).toBe(theirs.renderString(template, context));
    expect(ours.renderString('{{ "  <i>x</i> " | safe | trim }}', {})).toBe('<i>x</i>');
    expect(ours.renderString('{{ "  <i>x</i> " | trim }}', {})).toBe('&lt;i&gt;x&lt;/i&gt;');
  });

  it('keeps the spaces inside a value, however many', () => {
    const spaces = `x${' '.repeat(20_000)}x`;
    expect(ours.renderString('{{ s | trim }}', { s: spaces })).toBe(spaces);
  });
});
