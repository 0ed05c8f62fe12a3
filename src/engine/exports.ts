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
  capacity(space: number, prefix: number): number;
  stats(space: number): number;
  listBlocks(space: number, kind: number, max: number): number;
  freeBlockHistogram(space: number): number;
  holdsFreeAddresses(space: number, prefix: number): number;
  reserveMemory(blocks: number): number;
}
