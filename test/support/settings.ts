/**
 * Settings the test runs take from the environment. vitest.config.ts reads the environment
 * once, in Node, and hands the values to every project through `provide`, so the same test
 * files run in Node and in the browser, where there is no `process.env`.
 */
import { inject } from 'vitest';

export interface PropertySettings {
  /** Multiplies the number of random runs (WASM_IPAM_PROPERTY_SCALE, shortened in the browser). */
  scale: number;
  /** Fixed fast-check seed (WASM_IPAM_SEED), to replay a failure. */
  seed: number | null;
  /** Stop at the first failure without shrinking it (WASM_IPAM_NO_SHRINK=1). */
  noShrink: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    property: PropertySettings;
  }
}

export const PROPERTY: PropertySettings = inject('property');

/** fast-check parameters every property test shares. */
export function propertyParameters(numRuns: number): { numRuns: number; endOnFailure: boolean; seed?: number } {
  return { numRuns, endOnFailure: PROPERTY.noShrink, ...(PROPERTY.seed !== null ? { seed: PROPERTY.seed } : {}) };
}
