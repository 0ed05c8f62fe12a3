/**
 * A simulation scenario: a pool tree per address family, a seeded workload, the strategies to
 * compare. Scenarios are JSON; `parseScenario` checks one whole and says exactly what is wrong.
 */
import { cidrOverlaps, formatCidr, parseCidr, type Cidr } from '../cidr/index.js';
import { DEFAULT_EXCLUDE_CIDRS, IpamApiError, MAX_CIDRS_PER_POOL, MAX_POOL_DEPTH } from '../api/index.js';
import { NAME, validateParams } from '../api/params.js';
import { STRATEGIES, type AllocationStrategy } from '../engine/index.js';

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  events: number;
  strategies: AllocationStrategy[];
  /** Points per time series (default 200). */
  samples: number;
  /** Top-level pools: each has provisioned CIDRs; the tree under it draws from them. */
  pools: PoolPlan[];
  /** Share of events that are arrivals (the rest release a random live allocation), from start to end of the run. */
  arrivals: { start: number; end: number };
  /** Stretches of the run (as fractions 0..1) with their own arrival share. */
  bursts: { at: number; length: number; arrivalShare: number }[];
}

export interface PoolPlan {
  name: string;
  /** Top-level pools only. */
  ipVersion?: 'IPv4' | 'IPv6';
  cidrs?: string[];
  /** Sub-pools only: the prefix length of each CIDR the pool takes from its parent when it needs room. */
  chunk?: number;
  children?: PoolPlan[];
  /** Leaves only: how often the leaf is chosen for an arrival, and the masks it asks for (mask → weight). */
  workload?: { weight: number; masks: Record<string, number> };
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Json = Record<string, unknown>;
const fail = (where: string, what: string): never => {
  throw new ScenarioError(`${where}: ${what}`);
};
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The field, or the default when it is left out (a null is not left out: it is checked, and refused). */
const given = (o: Json, key: string, fallback: unknown): unknown => (o[key] === undefined ? fallback : o[key]);

function num(o: Json, key: string, where: string, min: number, max: number, fallback?: number): number {
  const v = given(o, key, fallback);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${where}.${key}`, `must be a number from ${min} to ${max}`);
  return v as number;
}
function int(o: Json, key: string, where: string, min: number, max: number, fallback?: number): number {
  const v = num(o, key, where, min, max, fallback);
  if (!Number.isInteger(v)) fail(`${where}.${key}`, 'must be a whole number');
  return v;
}
function text(o: Json, key: string, where: string, fallback?: string): string {
  const v = given(o, key, fallback);
  if (typeof v !== 'string' || v.length === 0 || v.length > 1000) fail(`${where}.${key}`, 'must be a non-empty string of at most 1000 characters');
  return v as string;
}

const KNOWN_KEYS = new Set(['name', 'description', 'seed', 'events', 'strategies', 'samples', 'pools', 'arrivals', 'bursts']);
const POOL_KEYS = new Set(['name', 'ipVersion', 'cidrs', 'chunk', 'children', 'workload']);
const ARRIVALS_KEYS = new Set(['start', 'end']);
const BURST_KEYS = new Set(['at', 'length', 'arrivalShare']);

function unknownKeys(o: Json, known: Set<string>, where: string): void {
  for (const key of Object.keys(o)) if (!known.has(key)) fail(where, `unknown key "${key}"`);
}

/** Checks a parsed JSON document and returns it as a Scenario, or throws ScenarioError. */
export function parseScenario(doc: unknown): Scenario {
  if (!isObject(doc)) fail('scenario', 'must be a JSON object');
  const o = doc as Json;
  unknownKeys(o, KNOWN_KEYS, 'scenario');
  const strategies = given(o, 'strategies', Object.keys(STRATEGIES));
  if (!Array.isArray(strategies) || strategies.length === 0) fail('scenario.strategies', 'must be a non-empty list');
  for (const s of strategies as unknown[]) {
    if (typeof s !== 'string' || !Object.hasOwn(STRATEGIES, s)) fail('scenario.strategies', `unknown strategy ${JSON.stringify(s)}; known: ${Object.keys(STRATEGIES).join(', ')}`);
  }
  if (new Set(strategies as string[]).size !== (strategies as string[]).length) fail('scenario.strategies', 'lists a strategy twice');
  const arrivals = given(o, 'arrivals', { start: 0.6, end: 0.6 });
  if (!isObject(arrivals)) fail('scenario.arrivals', 'must be an object { start, end }');
  unknownKeys(arrivals as Json, ARRIVALS_KEYS, 'scenario.arrivals');
  const bursts = given(o, 'bursts', []);
  if (!Array.isArray(bursts)) fail('scenario.bursts', 'must be a list');
  const pools = o.pools;
  if (!Array.isArray(pools) || pools.length === 0) fail('scenario.pools', 'must be a non-empty list of top-level pools');
  const names = new Set<string>();
  const provisioned: Cidr[] = [];
  const scenario: Scenario = {
    name: text(o, 'name', 'scenario'),
    description: o.description === undefined || o.description === '' ? '' : text(o, 'description', 'scenario'),
    seed: int(o, 'seed', 'scenario', 0, 2 ** 32 - 1, 1),
    events: int(o, 'events', 'scenario', 1, 1e9),
    strategies: strategies as AllocationStrategy[],
    samples: int(o, 'samples', 'scenario', 2, 10_000, 200),
    arrivals: { start: num(arrivals as Json, 'start', 'scenario.arrivals', 0, 1), end: num(arrivals as Json, 'end', 'scenario.arrivals', 0, 1) },
    bursts: (bursts as unknown[]).map((b, i) => {
      const where = `scenario.bursts[${i}]`;
      if (!isObject(b)) fail(where, 'must be an object { at, length, arrivalShare }');
      unknownKeys(b as Json, BURST_KEYS, where);
      return { at: num(b as Json, 'at', where, 0, 1), length: num(b as Json, 'length', where, 0, 1), arrivalShare: num(b as Json, 'arrivalShare', where, 0, 1) };
    }),
    pools: (pools as unknown[]).map((p, i) => parsePool(p, `scenario.pools[${i}]`, undefined, names, provisioned)),
  };
  if (leaves(scenario).length === 0) fail('scenario.pools', 'no pool has a workload');
  if (leaves(scenario).every((leaf) => leaf.workload!.weight === 0)) fail('scenario.pools', 'every leaf has weight 0: no arrivals could go anywhere');
  return scenario;
}

const EXCLUDED = DEFAULT_EXCLUDE_CIDRS.map((c) => parseCidr(c));

function parsePool(doc: unknown, where: string, parent: { bits: number; prefix: number; depth: number } | undefined, names: Set<string>, provisioned: Cidr[]): PoolPlan {
  if (!isObject(doc)) fail(where, 'must be an object');
  const o = doc as Json;
  unknownKeys(o, POOL_KEYS, where);
  const name = text(o, 'name', where);
  try {
    validateParams('a scenario', { IpamPoolName: NAME }, { IpamPoolName: name }); // the API's rule for pool names
  } catch (error) {
    if (error instanceof IpamApiError) fail(`${where}.name`, error.message);
    throw error;
  }
  if (names.has(name)) fail(`${where}.name`, `"${name}" is used twice; pool names must be unique`);
  names.add(name);
  const plan: PoolPlan = { name };
  let bits: number;
  let prefix: number; // the widest block a child may take
  if (parent === undefined) {
    if (o.ipVersion !== 'IPv4' && o.ipVersion !== 'IPv6') fail(`${where}.ipVersion`, 'a top-level pool needs "IPv4" or "IPv6"');
    if (o.chunk !== undefined) fail(`${where}.chunk`, 'a top-level pool has cidrs, not a chunk');
    plan.ipVersion = o.ipVersion as 'IPv4' | 'IPv6';
    bits = plan.ipVersion === 'IPv4' ? 32 : 128;
    if (!Array.isArray(o.cidrs) || o.cidrs.length === 0 || o.cidrs.length > MAX_CIDRS_PER_POOL) fail(`${where}.cidrs`, `a top-level pool needs 1 to ${MAX_CIDRS_PER_POOL} CIDR blocks`);
    const blocks = (o.cidrs as unknown[]).map((c, j): Cidr => {
      let block: Cidr | undefined;
      try {
        block = typeof c === 'string' ? parseCidr(c) : undefined;
      } catch (error) {
        fail(`${where}.cidrs[${j}]`, (error as Error).message);
      }
      if (!block) return fail(`${where}.cidrs[${j}]`, 'must be a CIDR string');
      if (block.family !== (bits === 32 ? 4 : 6)) fail(`${where}.cidrs[${j}]`, `is not ${plan.ipVersion}`);
      return block;
    });
    plan.cidrs = blocks.map((_, j) => (o.cidrs as string[])[j]!);
    // what the API would refuse when provisioning: overlaps (within the pool and, through
    // `provisioned`, with other top-level pools) and the excluded ranges
    for (const [j, block] of blocks.entries()) {
      const clash = provisioned.find((other) => cidrOverlaps(other, block));
      if (clash) fail(`${where}.cidrs[${j}]`, `${formatCidr(block)} overlaps ${formatCidr(clash)}, provisioned already`);
      const excluded = EXCLUDED.find((range) => cidrOverlaps(range, block));
      if (excluded) fail(`${where}.cidrs[${j}]`, `${formatCidr(block)} overlaps the excluded range ${formatCidr(excluded)}`);
      provisioned.push(block);
    }
    prefix = Math.min(...blocks.map((b) => b.prefixLength));
  } else {
    if (o.ipVersion !== undefined || o.cidrs !== undefined) fail(where, 'a sub-pool takes its family and CIDRs from its parent (give "chunk")');
    bits = parent.bits;
    plan.chunk = int(o, 'chunk', where, parent.prefix, bits);
    prefix = plan.chunk;
  }
  if (o.children !== undefined && o.workload !== undefined) fail(where, 'a pool has children or a workload, not both');
  if (o.children !== undefined) {
    if (!Array.isArray(o.children) || o.children.length === 0) fail(`${where}.children`, 'must be a non-empty list');
    // the API refuses a sub-pool below the deepest level, so the scenario does too
    const depth = (parent?.depth ?? 1) + 1;
    if (depth > MAX_POOL_DEPTH) fail(`${where}.children`, `pools can be nested at most ${MAX_POOL_DEPTH} levels deep, as in the API`);
    plan.children = (o.children as unknown[]).map((c, i) => parsePool(c, `${where}.children[${i}]`, { bits, prefix, depth }, names, provisioned));
  } else {
    if (!isObject(o.workload)) fail(`${where}.workload`, 'a pool without children needs a workload { weight, masks }');
    const w = o.workload as Json;
    unknownKeys(w, new Set(['weight', 'masks']), `${where}.workload`);
    const weight = num(w, 'weight', `${where}.workload`, 0, 1e9);
    if (!isObject(w.masks) || Object.keys(w.masks).length === 0) fail(`${where}.workload.masks`, 'must map prefix lengths to weights, e.g. { "24": 3, "26": 1 }');
    const masks: Record<string, number> = {};
    for (const mask of Object.keys(w.masks as Json)) {
      const m = Number(mask);
      if (!Number.isInteger(m) || m < prefix || m > bits || String(m) !== mask) fail(`${where}.workload.masks`, `"${mask}" must be a prefix length from ${prefix} to ${bits}`);
      masks[mask] = num(w.masks as Json, mask, `${where}.workload.masks`, 0, 1e9);
    }
    if (Object.values(masks).every((v) => v === 0)) fail(`${where}.workload.masks`, 'all weights are 0');
    plan.workload = { weight, masks };
  }
  return plan;
}

/** The pools of the scenario, parents before children, with their parent's index (-1 for top-level). */
export function flattenPools(scenario: Scenario): { plan: PoolPlan; parent: number; root: number; bits: number }[] {
  const out: { plan: PoolPlan; parent: number; root: number; bits: number }[] = [];
  const visit = (plan: PoolPlan, parent: number, root: number, bits: number) => {
    const index = out.length;
    out.push({ plan, parent, root: root < 0 ? index : root, bits });
    for (const child of plan.children ?? []) visit(child, index, root < 0 ? index : root, bits);
  };
  for (const top of scenario.pools) visit(top, -1, -1, top.ipVersion === 'IPv4' ? 32 : 128);
  return out;
}

export function leaves(scenario: Scenario): PoolPlan[] {
  return flattenPools(scenario).map((p) => p.plan).filter((p) => p.workload !== undefined);
}

/**
 * The events a burst holds, first..end-1: those from at·events up to (at + length)·events, with
 * `at` and `length` read as the shortest decimals that give their doubles (what a scenario
 * file writes), in exact arithmetic: 0.07 of 100 events ends at event 7, where the doubles'
 * product is 7.000000000000001, and 0.1 + 0.2 of 10 at event 3.
 */
export function burstEvents(burst: Scenario['bursts'][number], events: number): { first: number; end: number } {
  const at = decimalOf(burst.at), length = decimalOf(burst.length);
  const scale = Math.max(at.scale, length.scale);
  const sum = at.digits * 10n ** BigInt(scale - at.scale) + length.digits * 10n ** BigInt(scale - length.scale);
  // the first whole event at or after digits / 10^places · events
  const ceil = (digits: bigint, places: number) => {
    const unit = 10n ** BigInt(places);
    return Number((digits * BigInt(events) + unit - 1n) / unit);
  };
  return { first: ceil(at.digits, at.scale), end: ceil(sum, scale) };
}

/** A double in [0, 1] as digits / 10^scale, from its shortest decimal form (String: "0.07", "1e-13", "1.5e-7"). */
function decimalOf(x: number): { digits: bigint; scale: number } {
  const [, whole, fraction = '', exponent = '0'] = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const scale = fraction.length - Number(exponent);
  return scale >= 0 ? { digits: BigInt(whole + fraction), scale } : { digits: BigInt(whole + fraction) * 10n ** BigInt(-scale), scale: 0 };
}
