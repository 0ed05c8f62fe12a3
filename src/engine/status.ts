/**
 * Engine status codes, mirrored from assembly/status.ts. Zero or positive means success;
 * every negative status means the call changed nothing.
 */
export const EngineStatus = {
  OK: 0,
  BAD_SPACE: -1,
  BAD_PREFIX: -2,
  HOST_BITS: -3,
  NOT_IN_SOURCE: -4,
  OVERLAPS_ALLOCATION: -5,
  NO_FIT: -6,
  NOT_ALLOCATED: -7,
  SOURCE_OVERLAP: -8,
  SOURCE_BUSY: -9,
  NOT_A_SOURCE: -10,
  OUT_OF_MEMORY: -11,
  BAD_STRATEGY: -12,
  BAD_ARGUMENT: -13,
} as const;

export type EngineStatusName = keyof typeof EngineStatus;

const MESSAGES: Record<EngineStatusName, string> = {
  OK: 'ok',
  BAD_SPACE: 'the address space does not exist (destroyed or never created)',
  BAD_PREFIX: 'prefix length is outside the range of the address family',
  HOST_BITS: 'the address has bits set beyond its prefix length or outside the address family',
  NOT_IN_SOURCE: 'the block is not inside any source block of the space',
  OVERLAPS_ALLOCATION: 'the block overlaps an existing allocation',
  NO_FIT: 'no free aligned block of that size is left',
  NOT_ALLOCATED: 'the block is not an allocation of this space',
  SOURCE_OVERLAP: 'the block overlaps an existing source block',
  SOURCE_BUSY: 'the source block still holds allocations',
  NOT_A_SOURCE: 'the block is not a source block of this space',
  OUT_OF_MEMORY: 'WebAssembly memory could not grow; nothing was changed',
  BAD_STRATEGY: 'unknown allocation strategy',
  BAD_ARGUMENT: 'argument out of range',
};

const NAME_OF = new Map<number, EngineStatusName>(
  Object.entries(EngineStatus).map(([name, value]) => [value, name as EngineStatusName]),
);

export function statusName(status: number): EngineStatusName {
  return NAME_OF.get(status) ?? 'BAD_ARGUMENT';
}

/** Thrown by the convenience methods of AddressSpace; `code` names the engine status. */
export class EngineError extends Error {
  readonly code: EngineStatusName;
  readonly status: number;
  constructor(status: number, detail?: string) {
    const code = statusName(status);
    super(detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code]);
    this.name = 'EngineError';
    this.code = code;
    this.status = status;
  }
}

/** Returns the status when it is a success, throws EngineError otherwise. */
export function check(status: number, detail?: string): number {
  if (status < 0) throw new EngineError(status, detail);
  return status;
}
