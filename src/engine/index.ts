export { Engine } from './engine.js';
export { AddressSpace, type Capacity, type Utilization } from './address-space.js';
export { EngineError, EngineStatus, statusName, type EngineStatusName } from './status.js';
export { STRATEGIES, type AllocationStrategy } from './layout.js';
export { DEFAULT_WASM_URL, EngineLoadError, type WasmSource } from './load.js';
export type { EngineExports } from './exports.js';
