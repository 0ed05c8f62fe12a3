// Colours of the report, shared by the server-rendered parts (table swatches, legends) and
// the page's script (chart lines, map pixels), which receives them with the data.

import { MAX_MAP_CHILDREN } from './hilbert.js';
import { CELL_ALLOCATED, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY } from './summary.js';

/** Line colours, by a strategy's position in SimulationSummary.strategies (Okabe–Ito, colour-blind safe). */
export const STRATEGY_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#332288', '#882255'] as const;

/** Shown for a cell code the format does not define, so a bad map is visible rather than blank. */
export const UNKNOWN_CELL_COLOUR = '#ff00ff';

/** Map colours of the fixed cell codes: light for room, dark for what is taken. */
export const CELL_COLOURS: Record<number, string> = {
  [CELL_OUTSIDE]: '#e6e8eb',
  [CELL_FREE]: '#bfe6c6',
  [CELL_ALLOCATED]: '#37474f',
  [CELL_PARTLY]: '#8fa4ae',
};

/**
 * Sub-pool colours, by child index: one for every child a map can code. A map's caption carries
 * its strategy's swatch, so none is a strategy's colour (nor a cell's); twelve chosen by hand
 * first, then hues a golden angle apart, each new.
 */
const FIRST_CHILD_COLOURS = ['#f0e442', '#9467bd', '#8c564b', '#17becf', '#bcbd22', '#e377c2', '#ff9896', '#c5b0d5', '#c49c94', '#dbdb8d', '#9edae5', '#ffbb78'];
export const CHILD_COLOURS: readonly string[] = (() => {
  const taken = new Set<string>([...STRATEGY_COLOURS, ...Object.values(CELL_COLOURS), UNKNOWN_CELL_COLOUR]);
  const colours: string[] = [];
  for (let i = 0; colours.length < MAX_MAP_CHILDREN; i++) {
    const colour = FIRST_CHILD_COLOURS[i] ?? hslHex((i * 137.508) % 360, 0.6, 0.55);
    if (!taken.has(colour)) colours.push(colour);
    taken.add(colour);
  }
  return colours;
})();

/** An HSL colour (hue in degrees, saturation and lightness 0..1) as #rrggbb. */
function hslHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - chroma / 2 * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

export function strategyColour(index: number): string {
  return STRATEGY_COLOURS[index % STRATEGY_COLOURS.length]!;
}

export function childColour(index: number): string {
  return CHILD_COLOURS[index % CHILD_COLOURS.length]!;
}
