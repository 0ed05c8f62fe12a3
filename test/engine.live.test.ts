/**
 * The engine's live list and event tape (assembly/live.ts), which carry the simulator's engine
 * path: random tapes against a reference (the reference space with the live list kept in a JS
 * array; for `random`, whose block only the engine knows, a twin engine taking one call per
 * event), and every refusal changes nothing.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, type Cidr } from '../src/cidr/index.js';
import { Engine, EngineStatus, STRATEGIES, type AddressSpace, type AllocationStrategy } from '../src/engine/index.js';
import { IO_STATUS, IO_TAPE } from '../src/engine/layout.js';
import { EngineDriver } from '../src/sim/engine-driver.js';
import { TAPE_ARRIVAL, TAPE_EVENTS } from '../src/sim/driver.js';
import { parseScenario } from '../src/sim/scenario.js';
import { ReferenceSpace, type Block } from './support/reference-space.js';
import { PROPERTY, propertyParameters } from './support/settings.js';

const names = (cidrs: Cidr[]) => cidrs.map(formatCidr);

/** Everything observable about an engine's spaces and live list. */
function digest(engine: Engine, spaces: AddressSpace[]): string {
  return JSON.stringify({ live: engine.raw.liveListCount(), spaces: spaces.map((s) => names(s.allocations())) });
}

interface TapeEvent {
  v6: boolean;
  arrival: boolean;
  depth: number;
  draw: number;
}

const eventArb = fc.record<TapeEvent>({
  v6: fc.boolean(),
  arrival: fc.integer({ min: 0, max: 9 }).map((n) => n < 6),
  depth: fc.nat({ max: 6 }),
  draw: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

// small sources, so that runs fill up and arrivals find no room
const V4_SOURCES = ['10.0.0.0/24', '10.0.4.0/25'];
const V6_SOURCES = ['2001:db8::/120'];
const V4_PREFIX = 25;
const V6_PREFIX = 121;

function makeSpaces(engine: Engine): AddressSpace[] {
  const v4 = engine.createSpace(4);
  const v6 = engine.createSpace(6);
  for (const c of V4_SOURCES) v4.addSource(c);
  for (const c of V6_SOURCES) v6.addSource(c);
  v4.seedRandom(7);
  v6.seedRandom(8);
  return [v4, v6];
}

/** The live list one call per event: on a reference model, or on a twin engine for `random`. */
class OneCallPerEvent {
  readonly live: { space: number; block: Block }[] = [];
  readonly models = [new ReferenceSpace(32), new ReferenceSpace(128)];

  constructor(readonly strategy: AllocationStrategy, readonly twin: AddressSpace[] | null) {
    V4_SOURCES.forEach((c) => this.models[0]!.addSource(toBlock(c)));
    V6_SOURCES.forEach((c) => this.models[1]!.addSource(toBlock(c)));
  }

  /** Applies one event; false when it was an arrival that found no room. */
  apply(event: TapeEvent): boolean {
    const space = event.v6 ? 1 : 0;
    if (this.live.length === 0 || event.arrival) {
      const prefix = (event.v6 ? V6_PREFIX : V4_PREFIX) + event.depth;
      const block = this.twin ? this.#twinAllocate(space, prefix) : this.models[space]!.allocate(prefix, this.strategy);
      if (typeof block === 'number') return false;
      this.live.push({ space, block });
      return true;
    }
    const index = Math.floor((event.draw / 2 ** 32) * this.live.length);
    const { space: from, block } = this.live[index]!;
    if (this.twin) expect(this.twin[from]!.release({ family: from === 0 ? 4 : 6, address: block.address, prefixLength: block.prefix })).toBeUndefined();
    else expect(this.models[from]!.release(block)).toBe(EngineStatus.OK);
    this.live[index] = this.live[this.live.length - 1]!;
    this.live.pop();
    return true;
  }

  #twinAllocate(space: number, prefix: number): Block | number {
    if (!this.twin![space]!.fits(prefix)) return EngineStatus.NO_FIT;
    return { address: this.twin![space]!.allocate(prefix, this.strategy).address, prefix };
  }

  allocations(space: number): string[] {
    const family = space === 0 ? 4 : 6;
    if (this.twin) return names(this.twin[space]!.allocations());
    const blocks = [...this.models[space]!.allocations].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return names(blocks.map((b): Cidr => ({ family, address: b.address, prefixLength: b.prefix })));
  }
}

function toBlock(cidr: string): Block {
  const { address, prefixLength } = parseCidr(cidr);
  return { address, prefix: prefixLength };
}

function writeTape(engine: Engine, spaces: AddressSpace[], events: TapeEvent[]): void {
  const tape = engine.words.subarray((engine.io + IO_TAPE) >>> 2);
  events.forEach((e, i) => {
    tape[3 * i] = spaces[e.v6 ? 1 : 0]!.id;
    tape[3 * i + 1] = (e.arrival ? TAPE_ARRIVAL : 0) | ((e.v6 ? V6_PREFIX : V4_PREFIX) + e.depth);
    tape[3 * i + 2] = e.draw;
  });
}

const statusOut = (engine: Engine) => engine.ints[(engine.io + IO_STATUS) >>> 2]!;

describe('the event tape', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.load();
  });

  it('applies random tapes as the reference does one call per event, in any split of the calls, stopping only at arrivals that found no room', () => {
    const runs = Math.max(1, Math.round(60 * PROPERTY.scale));
    fc.assert(
      fc.property(
        fc.constantFrom<AllocationStrategy>(...(Object.keys(STRATEGIES) as AllocationStrategy[])),
        fc.array(eventArb, { minLength: 1, maxLength: 400 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 6 }),
        (strategy, events, cuts) => {
          const spaces = makeSpaces(engine);
          const twin = strategy === 'random' ? makeSpaces(engine) : null;
          engine.raw.resetLive();
          try {
            const reference = new OneCallPerEvent(strategy, twin);
            writeTape(engine, spaces, events);
            const ends = [...new Set([...cuts.filter((c) => c < events.length), events.length])].sort((a, b) => a - b);
            let next = 0;
            for (const end of ends) {
              while (next < end) {
                const stop = engine.raw.applyTape(next, end, STRATEGIES[strategy]);
                for (; next < stop; next++) expect(reference.apply(events[next]!), `event ${next}`).toBe(true);
                if (stop === end) break;
                // the engine left this arrival: the reference finds no room for it either
                expect(statusOut(engine)).toBe(EngineStatus.NO_FIT);
                expect(reference.apply(events[stop]!), `event ${stop}`).toBe(false);
                next = stop + 1;
              }
              expect(engine.raw.liveListCount()).toBe(reference.live.length);
              expect(names(spaces[0]!.allocations())).toEqual(reference.allocations(0));
              expect(names(spaces[1]!.allocations())).toEqual(reference.allocations(1));
            }
          } finally {
            for (const s of [...spaces, ...(twin ?? [])]) s.destroy();
          }
        },
      ),
      propertyParameters(runs),
    );
  });

  it('refuses a wrong range, a bad index, space, prefix or strategy with its status, and changes nothing', () => {
    const spaces = makeSpaces(engine);
    engine.raw.resetLive();
    for (let i = 0; i < 5; i++) expect(engine.raw.allocateLive(spaces[0]!.id, 28, 0)).toBe(EngineStatus.OK);
    const before = digest(engine, spaces);
    expect(engine.raw.applyTape(-1, 2, 0)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(engine.raw.applyTape(3, 2, 0)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(engine.raw.applyTape(0, TAPE_EVENTS + 1, 0)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(engine.raw.releaseLive(5)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(engine.raw.releaseLive(-1)).toBe(EngineStatus.BAD_ARGUMENT);
    expect(engine.raw.allocateLive(123456789, 28, 0)).toBe(EngineStatus.BAD_SPACE);
    expect(engine.raw.allocateLive(spaces[0]!.id, 33, 0)).toBe(EngineStatus.BAD_PREFIX);
    expect(engine.raw.allocateLive(spaces[0]!.id, -1, 0)).toBe(EngineStatus.BAD_PREFIX);
    expect(engine.raw.allocateLive(spaces[0]!.id, 28, 5)).toBe(EngineStatus.BAD_STRATEGY);
    expect(digest(engine, spaces)).toBe(before);

    // a tape event naming no space stops the tape there: the events before it happened, it did not
    writeTape(engine, spaces, [0, 1, 2].map(() => ({ v6: false, arrival: true, depth: 3, draw: 0 })));
    const tape = engine.words.subarray((engine.io + IO_TAPE) >>> 2);
    tape[3 * 2] = 987654;
    expect(engine.raw.applyTape(0, 3, 0)).toBe(2);
    expect(statusOut(engine)).toBe(EngineStatus.BAD_SPACE);
    expect(engine.raw.liveListCount()).toBe(7);
    expect(spaces[0]!.liveAllocations).toBe(7);

    // a live allocation whose space is gone is refused, and stays on the list
    spaces[0]!.destroy();
    expect(engine.raw.releaseLive(0)).toBe(EngineStatus.BAD_SPACE);
    expect(engine.raw.liveListCount()).toBe(7);
    spaces[1]!.destroy();
  });

  it('refuses a tape with a bad strategy before applying any of it, even a tape of releases only', () => {
    const spaces = makeSpaces(engine);
    engine.raw.resetLive();
    try {
      for (let i = 0; i < 4; i++) expect(engine.raw.allocateLive(spaces[0]!.id, 28, 0)).toBe(EngineStatus.OK);
      // two releases, then an arrival
      writeTape(engine, spaces, [
        { v6: false, arrival: false, depth: 3, draw: 0 },
        { v6: false, arrival: false, depth: 3, draw: 0 },
        { v6: false, arrival: true, depth: 3, draw: 0 },
      ]);
      const before = digest(engine, spaces);
      for (const strategy of [STRATEGIES.random + 1, -1, 0x7fffffff]) {
        expect(engine.raw.applyTape(0, 3, strategy), `strategy ${strategy}`).toBe(EngineStatus.BAD_STRATEGY);
        expect(engine.raw.applyTape(0, 2, strategy), `strategy ${strategy}, releases only`).toBe(EngineStatus.BAD_STRATEGY);
        expect(digest(engine, spaces)).toBe(before);
      }
    } finally {
      engine.raw.resetLive();
      for (const s of spaces) s.destroy();
    }
  });

  it('refuses a live allocation whose space was destroyed even when a new space has taken its id, and releases nothing there', () => {
    engine.raw.resetLive();
    const gone = engine.createSpace(4);
    gone.addSource('10.0.0.0/24');
    expect(engine.raw.allocateLive(gone.id, 28, 0)).toBe(EngineStatus.OK); // 10.0.0.0/28
    const staleId = gone.id;
    gone.destroy();
    // the freed record is the next one handed out: the same id, another space
    const other = engine.createSpace(4);
    try {
      expect(other.id).toBe(staleId);
      other.addSource('10.0.0.0/24');
      other.reserve('10.0.0.0/28');
      expect(engine.raw.releaseLive(0)).toBe(EngineStatus.BAD_SPACE);
      expect(names(other.allocations())).toEqual(['10.0.0.0/28']);
      expect(engine.raw.liveListCount()).toBe(1);
    } finally {
      engine.raw.resetLive();
      other.destroy();
    }
  });

  it('moves a record with its generation when the last one takes a released number, across spaces of different generations', async () => {
    // a fresh instance: its first two records start at generation 1, and the first one, made again, is at 2
    const fresh = await Engine.load();
    const first = fresh.createSpace(4);
    first.destroy();
    const again = fresh.createSpace(4);
    const second = fresh.createSpace(4);
    for (const s of [again, second]) s.addSource('10.0.0.0/24');
    fresh.raw.resetLive();
    expect(fresh.raw.allocateLive(again.id, 28, 0)).toBe(EngineStatus.OK);
    expect(fresh.raw.allocateLive(second.id, 28, 0)).toBe(EngineStatus.OK);
    // releasing number 0 moves second's record into it: that record is second's, generation and all
    expect(fresh.raw.releaseLive(0)).toBe(EngineStatus.OK);
    expect(fresh.raw.releaseLive(0)).toBe(EngineStatus.OK);
    expect([again.liveAllocations, second.liveAllocations, fresh.raw.liveListCount()]).toEqual([0, 0, 0]);
  });

  it('grows past any size without moving what it lists, and a reset list takes no fresh memory', () => {
    const space = engine.createSpace(4);
    space.addSource('10.0.0.0/8');
    engine.raw.resetLive();
    // 70,000 /32s: the list moves to a longer run several times (256 records first: 8 KiB)
    for (let i = 0; i < 70_000; i++) expect(engine.raw.allocateLive(space.id, 32, 0)).toBe(EngineStatus.OK);
    expect(engine.raw.liveListCount()).toBe(70_000);
    // first-fit took 10.0.0.0 upwards in order; releasing number 0 moves the last (10.1.17.111) into its place
    expect(engine.raw.releaseLive(0)).toBe(EngineStatus.OK);
    expect(space.allocations()[0]).toEqual({ family: 4, address: 0x0a000001n, prefixLength: 32 });
    expect(engine.raw.releaseLive(0)).toBe(EngineStatus.OK); // now 10.1.17.111 itself
    expect(names(space.allocations().slice(-1))).toEqual(['10.1.17.110/32']);
    for (let n = engine.raw.liveListCount(); n > 0; n--) expect(engine.raw.releaseLive(n - 1)).toBe(EngineStatus.OK);
    expect(space.liveAllocations).toBe(0);
    const memory = engine.memoryBytes;
    engine.raw.resetLive();
    for (let i = 0; i < 70_000; i++) engine.raw.allocateLive(space.id, 32, 0);
    expect(engine.memoryBytes).toBe(memory);
    for (let n = engine.raw.liveListCount(); n > 0; n--) engine.raw.releaseLive(n - 1);
    space.destroy();
  });

  it('answers OUT_OF_MEMORY when memory cannot grow, never traps, and changes nothing', async () => {
    const small = await Engine.load(new URL('../build/engine.limited.wasm', import.meta.url));
    const space = small.createSpace(6);
    space.addSource('::/0');
    let status = 0;
    let before = '';
    // random /128s each need a fresh path of nodes until memory runs out
    while (status === 0) {
      before = digest(small, [space]);
      status = small.raw.allocateLive(space.id, 128, STRATEGIES.random);
    }
    expect(status).toBe(EngineStatus.OUT_OF_MEMORY);
    expect(digest(small, [space])).toBe(before);
    // and through the tape: the arrival is left undone, with its status
    writeTape(small, [space, space], [{ v6: true, arrival: true, depth: 128 - V6_PREFIX, draw: 0 }]);
    expect(small.raw.applyTape(0, 1, STRATEGIES.random)).toBe(0);
    expect(statusOut(small)).toBe(EngineStatus.OUT_OF_MEMORY);
    expect(digest(small, [space])).toBe(before);
  });
});

describe('the blocks of the live list and the stream', () => {
  it('never pass for a space record, whatever the values in them', async () => {
    const engine = await Engine.load();
    const space = engine.createSpace(4);
    space.addSource('83.80.0.0/16');
    // a space record starts with the tag 0x53504301: put that word wherever a caller can
    const tag = 0x53504301;
    const word = new DataView(new ArrayBuffer(8));
    word.setUint32(0, tag, true);
    word.setUint32(4, 0x40000000, true);
    const tagged = word.getFloat64(0, true); // a double whose low word is the tag
    engine.raw.resetLive();
    engine.raw.beginStream(tag, tagged, tagged);
    for (let i = 0; i < 300; i++) {
      expect(engine.raw.addBurst(tagged, tagged, tagged)).toBe(EngineStatus.OK);
      expect(engine.raw.addLeaf(tag, tagged)).toBe(EngineStatus.OK);
      expect(engine.raw.addMask(32, tagged)).toBe(EngineStatus.OK);
      // 83.80.67.1 is the tag as an IPv4 address
      expect(engine.raw.allocateLive(space.id, 32, 0)).toBe(EngineStatus.OK);
    }
    const blocks = engine.memoryBytes / 128;
    const passing: number[] = [];
    for (let id = 1; id < blocks; id++) if (engine.raw.stats(id) === EngineStatus.OK) passing.push(id);
    expect(passing).toEqual([space.id]);
  });
});

describe('EngineDriver', () => {
  it('holds its engine\'s live list alone until it is closed', async () => {
    const engine = await Engine.load();
    const scenario = parseScenario({ name: 'one', seed: 1, events: 10, pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/24'], workload: { weight: 1, masks: { '28': 1 } } }] });
    const first = new EngineDriver(engine, scenario, 'first-fit');
    expect(() => new EngineDriver(engine, scenario, 'first-fit')).toThrow(/another EngineDriver is using this engine/);
    first.close();
    const second = new EngineDriver(engine, scenario, 'first-fit');
    expect(second.liveCount).toBe(0);
    second.close();
  });

  it('refuses an engine whose tape holds another number of events, and makes no space in it', async () => {
    const engine = await Engine.load();
    const scenario = parseScenario({ name: 'one', seed: 1, events: 10, pools: [{ name: 'p', ipVersion: 'IPv4', cidrs: ['10.0.0.0/24'], workload: { weight: 1, masks: { '28': 1 } } }] });
    // the same instance seen through exports that report half the tape (a build from other sources)
    const other = Object.create(engine, { raw: { value: { ...engine.raw, tapeCapacity: () => TAPE_EVENTS / 2 } } }) as Engine;
    const nodes = engine.nodesInUse;
    expect(() => new EngineDriver(other, scenario, 'first-fit')).toThrow(`this engine's tape holds ${TAPE_EVENTS / 2} events, not ${TAPE_EVENTS}`);
    expect(engine.nodesInUse).toBe(nodes);
    new EngineDriver(engine, scenario, 'first-fit').close(); // and the engine is not left held
  });
});
