// Result codes returned by every engine export. Zero or a positive value is success;
// a negative value says why nothing was changed. Keep in sync with src/engine/status.ts.

export const OK: i32 = 0;
export const E_BAD_SPACE: i32 = -1;          // not a live space id
export const E_BAD_PREFIX: i32 = -2;         // prefix length outside 0..width
export const E_HOST_BITS: i32 = -3;          // address has bits set beyond the prefix or the family width
export const E_NOT_IN_SOURCE: i32 = -4;      // block is not inside any source block
export const E_OVERLAPS_ALLOCATION: i32 = -5;
export const E_NO_FIT: i32 = -6;             // no free aligned block of that size
export const E_NOT_ALLOCATED: i32 = -7;      // release of a block that is not an allocation
export const E_SOURCE_OVERLAP: i32 = -8;     // new source overlaps an existing source
export const E_SOURCE_BUSY: i32 = -9;        // source still holds allocations
export const E_NOT_A_SOURCE: i32 = -10;
export const E_OUT_OF_MEMORY: i32 = -11;     // memory.grow failed; nothing was changed
export const E_BAD_STRATEGY: i32 = -12;
export const E_BAD_ARGUMENT: i32 = -13;      // batch size, width or kind out of range
