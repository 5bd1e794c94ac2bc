import { describe, expect, it } from 'vitest';
import { createTemplates } from './render.ts';
import { scrollableTables } from './tables.ts';

const captioned = (caption: string, id = '') =>
  `<table class="govuk-table"><caption class="govuk-table__caption"${id}>${caption}</caption><tbody><tr><td>1</td></tr></tbody></table>`;

describe('wide tables scroll in a region of their own', () => {
  it('wraps a GOV.UK table in a focusable region named by its caption', () => {
    const page = `<h1>Receipts</h1>${captioned('Awaited (2)')}<p>After</p>`;
    expect(scrollableTables(page)).toBe(
      '<h1>Receipts</h1><div class="safeshare-table-region" role="region" aria-labelledby="safeshare-table-caption-1" tabindex="0">' +
        '<table class="govuk-table"><caption class="govuk-table__caption" id="safeshare-table-caption-1">Awaited (2)</caption><tbody><tr><td>1</td></tr></tbody></table>' +
        '</div><p>After</p>',
    );
  });

  it('gives each table of a page its own region and name, and keeps a caption id it already has', () => {
    const page = `${captioned('Open (1)')}<h2>Closed</h2>${captioned('Closed (3)', ' id="closed-caption"')}`;
    const result = scrollableTables(page);
    expect(result.match(/role="region"/g)).toHaveLength(2);
    expect(result).toContain('aria-labelledby="safeshare-table-caption-1"');
    expect(result).toContain('aria-labelledby="closed-caption"');
    expect(result).not.toContain('safeshare-table-caption-2');
  });

  it('names a region by the table itself without a caption, numbering several so that each name is unique', () => {
    expect(scrollableTables('<table class="govuk-table" aria-label="Events"></table>')).toContain(
      'role="region" aria-label="Events" tabindex="0"',
    );
    const two = scrollableTables(
      '<table class="govuk-table"><tr><td>a</td></tr></table><table class="govuk-table"><tr><td>b</td></tr></table>',
    );
    expect(two).toContain('aria-label="Table 1"');
    expect(two).toContain('aria-label="Table 2"');
    expect(scrollableTables('<table class="govuk-table"></table>')).toContain('aria-label="Table"');
  });

  it('wraps only the outer table of a nested pair, leaves other tables and pages without tables alone', () => {
    const nested = `<table class="govuk-table"><caption>Outer</caption><tr><td><table class="govuk-table"><tr><td>x</td></tr></table></td></tr></table>`;
    expect(scrollableTables(nested).match(/role="region"/g)).toHaveLength(1);
    expect(scrollableTables(nested)).toMatch(/<\/table><\/td><\/tr><\/table><\/div>$/);
    const layoutTable = '<table class="print-only"><tr><td>x</td></tr></table>';
    expect(scrollableTables(layoutTable)).toBe(layoutTable);
    expect(scrollableTables('<p>No tables &lt;table class="govuk-table"&gt;</p>')).toBe(
      '<p>No tables &lt;table class="govuk-table"&gt;</p>',
    );
  });

  it('is done by the layout to every page, macro tables and written ones alike', () => {
    const templates = createTemplates();
    const html = templates.renderString(
      `{% extends "web/views/layout.njk" %}
       {% from "govuk/components/table/macro.njk" import govukTable %}
       {% block pageContent %}
         {{ govukTable({ caption: "Made by the macro", head: [{ text: "Reference" }], rows: [[{ text: "SD-0000001" }]] }) }}
         <table class="govuk-table"><caption class="govuk-table__caption">Written by hand</caption></table>
         <p>{{ typed }}</p>
       {% endblock %}`,
      { pageTitle: 'Tables', serviceName: 'Safeshare', typed: '<table class="govuk-table">' },
    );
    const regions = [
      ...html.matchAll(
        /<div class="safeshare-table-region" role="region" aria-labelledby="([^"]+)" tabindex="0">/g,
      ),
    ];
    expect(regions.map((region) => region[1])).toEqual([
      'safeshare-table-caption-1',
      'safeshare-table-caption-2',
    ]);
    expect(html).toMatch(
      /<caption class="govuk-table__caption[^"]*" id="safeshare-table-caption-1">\s*Made by the macro/,
    );
    // What someone typed stays text.
    expect(html).toContain('<p>&lt;table class=&quot;govuk-table&quot;&gt;</p>');
  });
});
