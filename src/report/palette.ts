// Colours of the report, shared by the server-rendered parts (table swatches, legends) and
// the page's script (chart lines, map pixels), which receives them with the data.

import { CELL_ALLOCATED, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY } from './summary.js';

/** Line colours, by a strategy's position in SimulationSummary.strategies (Okabe–Ito, colour-blind safe). */
export const STRATEGY_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#332288', '#882255'] as const;

/** Map colours of the fixed cell codes: light for room, dark for what is taken. */
export const CELL_COLOURS: Record<number, string> = {
  [CELL_OUTSIDE]: '#e6e8eb',
  [CELL_FREE]: '#bfe6c6',
  [CELL_ALLOCATED]: '#37474f',
  [CELL_PARTLY]: '#8fa4ae',
};

/** Sub-pool colours, by child index (cycled past the end): saturated, unlike the cell colours. */
export const CHILD_COLOURS = ['#e69f00', '#0072b2', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442', '#009e73', '#9467bd', '#8c564b', '#17becf', '#bcbd22', '#e377c2'] as const;

/** Shown for a cell code the format does not define, so a bad map is visible rather than blank. */
export const UNKNOWN_CELL_COLOUR = '#ff00ff';

export function strategyColour(index: number): string {
  return STRATEGY_COLOURS[index % STRATEGY_COLOURS.length]!;
}

export function childColour(index: number): string {
  return CHILD_COLOURS[index % CHILD_COLOURS.length]!;
}
