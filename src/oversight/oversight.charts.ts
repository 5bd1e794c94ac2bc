import type * as vega from 'vega';
import type { compile as compileSpec, TopLevelSpec } from 'vega-lite';

/**
 * Charts drawn on the server as SVG with Vega-Lite (ADR 0026): no JavaScript in the browser, and the
 * same numbers in a table beside each. The compiled runtime of each kind of chart is parsed once;
 * a page only hands it its rows.
 */
export interface ChartBar {
  readonly label: string;
  readonly count: number;
}

export type ChartKind = 'columns' | 'bars';

/** GOV.UK colours: blue bars, black text, mid-grey rules. */
const colours = { bar: '#1d70b8', text: '#0b0c0c', rule: '#b1b4b6' } as const;

function specOf(kind: ChartKind, valueTitle: string): TopLevelSpec {
  // Whole numbers only: no more ticks than the largest count (counts of one or two give 0, 1, 2).
  const [axisScale, extent] = kind === 'columns' ? ['y', 'height'] : ['x', 'width'];
  const tickCount = { expr: `min(ceil(${extent}/40), max(1, ceil(domain('${axisScale}')[1])))` };
  const category = {
    field: 'label',
    type: 'nominal' as const,
    sort: null,
    title: null,
    axis: {
      labelLimit: 220,
      labelFontSize: 14,
      labelColor: colours.text,
      ticks: false,
      domainColor: colours.rule,
    },
  };
  const value = {
    field: 'count',
    type: 'quantitative' as const,
    title: valueTitle,
    axis: {
      tickCount,
      format: ',d',
      labelFontSize: 14,
      titleFontSize: 14,
      labelColor: colours.text,
      titleColor: colours.text,
      gridColor: colours.rule,
      domainColor: colours.rule,
    },
  };
  return {
    width: kind === 'columns' ? 620 : 420,
    height: kind === 'columns' ? 240 : { step: 28 },
    data: { name: 'rows' },
    mark: { type: 'bar', color: colours.bar },
    encoding:
      kind === 'columns'
        ? { x: { ...category, axis: { ...category.axis, labelAngle: -45 } }, y: value }
        : { y: category, x: value },
    config: {
      aria: false,
      font: 'Arial, sans-serif',
      background: '#ffffff',
      view: { stroke: null },
    },
  };
}

const runtimes = new Map<string, vega.Runtime>();

/**
 * Vega and Vega-Lite, loaded the first time a chart is drawn: over half a second of loading that
 * every other page, command and test of the app would otherwise pay at start.
 */
let libraries: Promise<{ vega: typeof vega; compile: typeof compileSpec }> | undefined;
function chartLibraries() {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vegaModule, lite]) => ({
    vega: vegaModule,
    compile: lite.compile,
  }));
  return libraries;
}

async function runtimeOf(kind: ChartKind, valueTitle: string): Promise<vega.Runtime> {
  const key = `${kind}:${valueTitle}`;
  let runtime = runtimes.get(key);
  if (runtime === undefined) {
    const { vega: loaded, compile } = await chartLibraries();
    runtime = loaded.parse(compile(specOf(kind, valueTitle)).spec);
    runtimes.set(key, runtime);
  }
  return runtime;
}

/**
 * The chart as SVG markup, named for assistive technology: `role="img"` labelled by the caption and
 * described by the summary beside it (their ids given), with Vega's own ARIA roles taken out so that
 * the image is one thing to a screen reader. Labels are escaped by Vega; no style attribute is written,
 * so the page's content security policy (style-src 'self') holds.
 */
export async function chartSvg(
  kind: ChartKind,
  valueTitle: string,
  bars: readonly ChartBar[],
  names: { readonly labelledBy: string; readonly describedBy: string },
): Promise<string> {
  const { vega: loaded } = await chartLibraries();
  const view = new loaded.View(await runtimeOf(kind, valueTitle), { renderer: 'none' });
  try {
    view.data(
      'rows',
      bars.map((bar) => ({ label: bar.label, count: bar.count })),
    );
    const svg = await view.toSVG();
    return svg
      .replace(/ (role|aria-roledescription|aria-label|aria-hidden)="[^"]*"/g, '')
      .replace(
        /^<svg /,
        `<svg role="img" focusable="false" aria-labelledby="${names.labelledBy}" aria-describedby="${names.describedBy}" class="safeshare-chart__svg" `,
      );
  } finally {
    view.finalize();
  }
}
