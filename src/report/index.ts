// The simulator's visual report: Hilbert maps of pools, and the self-contained HTML page.

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReport } from './html.js';
import type { SimulationSummary } from './summary.js';

export { escapeHtml, jsonForScript, renderReport } from './html.js';
export { utilisationText } from './figures.js';
export {
  decodePoolMapCells,
  hilbertIndexToXY,
  hilbertXYToIndex,
  mapSide,
  MAX_HILBERT_ORDER,
  MAX_MAP_CHILDREN,
  rasterisePoolMap,
  smallestCommonBlock,
  type PoolMapInput,
} from './hilbert.js';
export * from './summary.js';

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The files writeReport puts in its directory: the report, and its data. */
export const REPORT_FILES = { html: 'index.html', json: 'summary.json' } as const;

/**
 * Writes `index.html` (the report) and `summary.json` (its data) into `dir`, creating it as
 * needed. The HTML is rendered before anything is written, so a bad summary leaves no files.
 */
export async function writeReport(dir: string, summary: SimulationSummary): Promise<{ html: string; json: string }> {
  const page = renderReport(summary);
  await mkdir(dir, { recursive: true });
  const html = join(dir, REPORT_FILES.html);
  const json = join(dir, REPORT_FILES.json);
  await writeFileAtomically(json, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(html, page);
  return { html, json };
}
