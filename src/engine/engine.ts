import type { IpFamily } from '../cidr/index.js';
import { AddressSpace } from './address-space.js';
import type { EngineExports } from './exports.js';
import { instantiateEngine, type WasmSource } from './load.js';
import { check, EngineError, EngineStatus } from './status.js';

/**
 * One instance of the wasm allocation engine: its memory, the views onto the IO area, and
 * the address spaces created in it. Views are re-made whenever memory has grown (a grown
 * memory detaches the old ArrayBuffer, so a zero byteLength tells).
 */
export class Engine {
  readonly raw: EngineExports;
  /** Byte offset of the IO area in wasm memory. */
  readonly io: number;
  /** Largest number of items one batch call moves through the IO area. */
  readonly batchCapacity: number;
  #bytes!: Uint8Array;
  #words!: Uint32Array;
  #ints!: Int32Array;
  #longs!: BigUint64Array;

  /** The compiled module: Engine.load(engine.module) makes another, independent instance cheaply. */
  readonly module: WebAssembly.Module;

  private constructor(raw: EngineExports, module: WebAssembly.Module) {
    this.raw = raw;
    this.module = module;
    this.io = raw.ioOffset() >>> 0;
    this.batchCapacity = raw.batchCapacity() >>> 0;
    this.#remakeViews();
  }

  /** Loads the engine (from build/engine.wasm next to the package unless told otherwise). */
  static async load(source?: WasmSource): Promise<Engine> {
    const { exports, module } = await instantiateEngine(source);
    return new Engine(exports, module);
  }

  #remakeViews(): void {
    const buffer = this.raw.memory.buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Uint32Array(buffer);
    this.#ints = new Int32Array(buffer);
    this.#longs = new BigUint64Array(buffer);
  }

  /** The whole memory as bytes (fresh after any growth). */
  get bytes(): Uint8Array {
    if (this.#bytes.byteLength === 0) this.#remakeViews();
    return this.#bytes;
  }

  /** The whole memory as u32 words. */
  get words(): Uint32Array {
    if (this.#words.byteLength === 0) this.#remakeViews();
    return this.#words;
  }

  get ints(): Int32Array {
    if (this.#ints.byteLength === 0) this.#remakeViews();
    return this.#ints;
  }

  get longs(): BigUint64Array {
    if (this.#longs.byteLength === 0) this.#remakeViews();
    return this.#longs;
  }

  /** Bytes of wasm linear memory in use (it only grows). */
  get memoryBytes(): number {
    return this.raw.memoryBytes();
  }

  /** Tree nodes currently materialised across all spaces (128 bytes each, plus 16 of side table). */
  get nodesInUse(): number {
    return this.raw.nodesInUse() >>> 0;
  }

  /** A new, empty address space (add source blocks to it before allocating). */
  createSpace(family: IpFamily): AddressSpace {
    // the type guards TypeScript callers; plain JS and values read from config files need this
    if (family !== 4 && family !== 6) throw new EngineError(EngineStatus.BAD_ARGUMENT, `family ${String(family)} is not 4 or 6`);
    const id = check(this.raw.createSpace(family === 4 ? 32 : 128));
    return new AddressSpace(this, id, family);
  }
}
