import type { Context } from '../context.js';
import { apiError, illegalParam } from '../errors.js';

/** A list of region IDs: each known, none repeated. */
export function regionList(ctx: Context, regions: readonly string[], name: string): string[] {
  const seen = new Set<string>();
  for (const region of regions) {
    if (!ctx.regions.has(region)) throw apiError('InvalidRegionId.NotFound', region);
    if (seen.has(region)) throw illegalParam(name, `${region} appears twice`);
    seen.add(region);
  }
  return [...seen];
}
