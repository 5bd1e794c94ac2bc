/**
 * Wide tables scroll inside a region of their own, so a page never scrolls sideways on a phone
 * (WCAG 2.2 1.4.10, reflow at 320 CSS pixels). The region is named by the table's caption and can
 * take focus, so someone using a keyboard can scroll it and a screen reader says what it holds.
 *
 * It is done once, to a page's rendered content, because the tables come from many templates (raw
 * `<table class="govuk-table">` and the govukTable macro alike) and no template should need to
 * remember it. Only markup a template wrote can contain `<table`: what people typed is escaped.
 */
export function scrollableTables(html: string): string {
  if (!html.includes('<table')) return html;
  const tag = /<table\b[^>]*>|<\/table\s*>/gi;
  const tables: { start: number; end: number; open: string }[] = [];
  let depth = 0;
  let start = 0;
  let open = '';
  for (const match of html.matchAll(tag)) {
    if (match[0].startsWith('</')) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && open !== '') tables.push({ start, end: match.index + match[0].length, open });
      continue;
    }
    if (depth === 0) {
      start = match.index;
      open = match[0];
    }
    depth += 1;
  }
  const wrapped = tables.filter((table) => /\bclass="[^"]*\bgovuk-table\b/.test(table.open));
  if (wrapped.length === 0) return html;
  const unnamed = wrapped.filter((table) => captionOf(html.slice(table.start, table.end)) === undefined);
  let result = '';
  let from = 0;
  wrapped.forEach((table, index) => {
    const markup = html.slice(table.start, table.end);
    const label = nameFor(markup, index, unnamed.length > 1 ? unnamed.indexOf(table) + 1 : 0);
    result += `${html.slice(from, table.start)}<div class="safeshare-table-region" role="region" ${label.attribute} tabindex="0">${label.markup}</div>`;
    from = table.end;
  });
  return result + html.slice(from);
}

const captionPattern = /<caption\b([^>]*)>/i;

function captionOf(table: string): RegExpExecArray | undefined {
  return captionPattern.exec(table) ?? undefined;
}

/**
 * How the region is named: by the caption (given an id when it has none), else by the table's own
 * name, else "Table" (numbered when a page has several without a caption, so that each region's
 * name is its own).
 */
function nameFor(table: string, index: number, unnamedNumber: number): { attribute: string; markup: string } {
  const caption = captionOf(table);
  if (caption !== undefined) {
    const existing = /\bid="([^"]+)"/.exec(caption[1] ?? '')?.[1];
    const id = existing ?? `safeshare-table-caption-${String(index + 1)}`;
    const markup =
      existing === undefined
        ? table.replace(captionPattern, (whole) => `${whole.slice(0, -1)} id="${id}">`)
        : table;
    return { attribute: `aria-labelledby="${id}"`, markup };
  }
  const opening = /^<table\b[^>]*>/i.exec(table)?.[0] ?? '';
  const labelledBy = /\baria-labelledby="([^"]+)"/.exec(opening)?.[1];
  if (labelledBy !== undefined) return { attribute: `aria-labelledby="${labelledBy}"`, markup: table };
  const label = /\baria-label="([^"]+)"/.exec(opening)?.[1];
  if (label !== undefined) return { attribute: `aria-label="${label}"`, markup: table };
  return {
    attribute: `aria-label="${unnamedNumber > 0 ? `Table ${String(unnamedNumber)}` : 'Table'}"`,
    markup: table,
  };
}
