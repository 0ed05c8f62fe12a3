// Byte offsets inside the engine's IO area; mirrors the constants in assembly/index.ts.
export const IO_ADDRESS_IN = 0;
export const IO_ADDRESS_OUT = 16;
export const IO_STATUS = 32;
export const IO_COUNTS = 48;
export const IO_STATS = 96;
export const IO_PREFIXES = 1024;
export const IO_ADDRESSES = 8192;
/** The simulator's event tape (assembly/live.ts): three u32 per event. */
export const IO_TAPE = 73728;

export const LIST_ALLOCATED = 0;
export const LIST_FREE = 1;
export const LIST_SOURCES = 2;

/**
 * Allocation strategies the engine knows; the number is what crosses into wasm (see the
 * README's engine section for what each one takes).
 */
export const STRATEGIES = { 'first-fit': 0, 'last-fit': 1, 'best-fit': 2, sparse: 3, random: 4 } as const;
export type AllocationStrategy = keyof typeof STRATEGIES;
