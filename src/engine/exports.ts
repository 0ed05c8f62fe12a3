/** The raw exports of build/engine.wasm (see assembly/index.ts). */
export interface EngineExports {
  readonly memory: WebAssembly.Memory;
  ioOffset(): number;
  batchCapacity(): number;
  memoryBytes(): number;
  nodesInUse(): number;
  createSpace(width: number): number;
  destroySpace(space: number): number;
  addSource4(space: number, address: number, prefix: number): number;
  addSource6(space: number, prefix: number): number;
  removeSource4(space: number, address: number, prefix: number): number;
  removeSource6(space: number, prefix: number): number;
  reserve4(space: number, address: number, prefix: number): number;
  reserve6(space: number, prefix: number): number;
  release4(space: number, address: number, prefix: number): number;
  release6(space: number, prefix: number): number;
  overlaps4(space: number, address: number, prefix: number): number;
  overlaps6(space: number, prefix: number): number;
  insideSource4(space: number, address: number, prefix: number): number;
  insideSource6(space: number, prefix: number): number;
  allocate4(space: number, prefix: number, strategy: number): number;
  preview4(space: number, prefix: number, strategy: number): number;
  allocate6(space: number, prefix: number, strategy: number): number;
  preview6(space: number, prefix: number, strategy: number): number;
  setRandomState(space: number, hi: number, lo: number): number;
  randomState(space: number): number;
  allocateBatch(space: number, count: number, strategy: number): number;
  releaseBatch(space: number, count: number): number;
  tapeCapacity(): number;
  resetLive(): void;
  liveListCount(): number;
  allocateLive(space: number, prefix: number, strategy: number): number;
  releaseLive(index: number): number;
  applyTape(first: number, end: number, strategy: number): number;
  beginStream(seed: number, start: number, slope: number): void;
  addBurst(from: number, to: number, share: number): number;
  addLeaf(tapeId: number, cumulative: number): number;
  addMask(prefix: number, cumulative: number): number;
  drawTape(first: number, end: number): number;
  capacity(space: number, prefix: number): number;
  stats(space: number): number;
  listBlocks(space: number, kind: number, max: number): number;
  freeBlockHistogram(space: number): number;
  holdsFreeAddresses(space: number, prefix: number): number;
  keepsFreeCounts(space: number): number;
  freeCountMismatches(space: number): number;
  lastRandomDraw(): number;
}

/**
 * Every function of EngineExports, for the loader to check a module against (bytes that compile
 * may be another module, or an older engine.wasm kept in a cache). The compiler keeps the list
 * in step with the interface: a name missing here or unknown there fails to type-check.
 */
export const ENGINE_FUNCTIONS = Object.keys({
  ioOffset: true, batchCapacity: true, memoryBytes: true, nodesInUse: true, createSpace: true, destroySpace: true,
  addSource4: true, addSource6: true, removeSource4: true, removeSource6: true, reserve4: true, reserve6: true,
  release4: true, release6: true, overlaps4: true, overlaps6: true, insideSource4: true, insideSource6: true,
  allocate4: true, preview4: true, allocate6: true, preview6: true, setRandomState: true, randomState: true,
  allocateBatch: true, releaseBatch: true, tapeCapacity: true, resetLive: true, liveListCount: true, allocateLive: true,
  releaseLive: true, applyTape: true, beginStream: true, addBurst: true, addLeaf: true, addMask: true, drawTape: true,
  capacity: true, stats: true, listBlocks: true, freeBlockHistogram: true, holdsFreeAddresses: true,
  keepsFreeCounts: true, freeCountMismatches: true, lastRandomDraw: true,
} satisfies Record<Exclude<keyof EngineExports, 'memory'>, true>) as ReadonlyArray<Exclude<keyof EngineExports, 'memory'>>;
