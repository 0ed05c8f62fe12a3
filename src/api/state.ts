/**
 * exportState / restore: the whole service as a versioned JSON document. Restore rebuilds a
 * fresh service by replaying the document through the engine and the same parameter specs the
 * API validates with, so a malformed, unknown-version or inconsistent document (overlaps,
 * allocations outside their pool, dangling references) is refused whole, never half-loaded.
 */
import { formatCidr, type Cidr } from '../cidr/index.js';
import { EngineError } from '../engine/index.js';
import { blockOf, BLOCK_WORDS } from './block.js';
import { Collection } from './collection.js';
import { PoolCidrs } from './pool-cidrs.js';
import { familyBits, type Context } from './context.js';
import { currentDigest, isDigestOf } from './client-token.js';
import { IpamApiError } from './errors.js';
import { allocationRecord, type AllocationRecord, type IpamRecord, type PoolRecord, type ScopeRecord } from './model.js';
import { newScope, newScopeSpaces } from './operations/shared.js';
import { sourceCidrOf } from './operations/pool-cidr.js';
import { MAX_CIDRS_PER_POOL, MAX_POOL_DEPTH, MAX_SCOPES } from './limits.js';
import { formatTime } from './ids.js';
import { regionList } from './operations/regions.js';
import { checkMasks, seedFromId } from './operations/pool.js';
import {
  ALLOCATION_STRATEGY, CIDR_TEXT, CLIENT_TOKEN, DESCRIPTION, ID, IP_VERSION, ISP, isPlainObject, MASK, NAME, REGION, REGION_ID, REGION_LIST, REQUIRED_ID, SCOPE_DESCRIPTION,
  SCOPE_TYPE, TAGS, validateParams, type ParamSpecs,
} from './params.js';
import { OPERATIONS } from './table.js';

export const STATE_FORMAT = 'wasm-ipam/state';
export const STATE_VERSION = 1;

export class IpamStateError extends Error {
  constructor(message: string) {
    super(`cannot restore the IPAM state: ${message}`);
    this.name = 'IpamStateError';
  }
}

/**
 * Sequence numbers order records by creation. A document's may reach 2^52, which leaves a
 * restored service 2^52 more records before a number stops being exact (a larger one would make
 * lists come out of order, and the next export unreadable).
 */
const SEQ_LIMIT = 2 ** 52;
const SEQ = { type: 'integer', required: true, min: 1, max: SEQ_LIMIT } as const;
const TIME = { type: 'string', required: true, minLength: 1, maxLength: 64 } as const;
const BOOLEAN = { type: 'boolean' } as const;

const IPAM_FIELDS = {
  seq: SEQ, IpamId: REQUIRED_ID, RegionId: REGION,
  OperatingRegionList: { ...REGION_LIST, required: true },
  IpamName: NAME, IpamDescription: DESCRIPTION, ResourceGroupId: ID, Tags: { ...TAGS, required: true }, CreateTime: TIME,
  PrivateDefaultScopeId: REQUIRED_ID, PublicDefaultScopeId: REQUIRED_ID,
  DefaultResourceDiscoveryId: REQUIRED_ID, DefaultResourceDiscoveryAssociationId: REQUIRED_ID,
} as const;
const SCOPE_FIELDS = {
  seq: SEQ, IpamScopeId: REQUIRED_ID, IpamId: REQUIRED_ID,
  IpamScopeType: { ...SCOPE_TYPE, required: true }, IsDefault: { ...BOOLEAN, required: true },
  IpamScopeName: NAME, IpamScopeDescription: SCOPE_DESCRIPTION, ResourceGroupId: ID, Tags: { ...TAGS, required: true },
  CreateTime: TIME, RegionId: REGION,
} as const;
const CIDR_FIELDS = { seq: SEQ, Cidr: { ...CIDR_TEXT, required: true }, parentAllocationId: ID } as const;
const POOL_FIELDS = {
  seq: SEQ, IpamPoolId: REQUIRED_ID, IpamId: REQUIRED_ID, IpamScopeId: REQUIRED_ID, SourceIpamPoolId: ID,
  PoolRegionId: REGION_ID, IpVersion: { ...IP_VERSION, required: true }, Ipv6Isp: ISP,
  AllocationMinCidrMask: MASK, AllocationMaxCidrMask: { ...MASK, required: true }, AllocationDefaultCidrMask: MASK,
  AutoImport: BOOLEAN, AllocationStrategy: ALLOCATION_STRATEGY, RandomState: { type: 'string', minLength: 16, maxLength: 16 }, IpamPoolName: NAME, IpamPoolDescription: DESCRIPTION, ResourceGroupId: ID,
  Tags: { ...TAGS, required: true }, CreateTime: TIME, PoolDepth: { type: 'integer', required: true, min: 1, max: MAX_POOL_DEPTH },
} as const;
const ALLOCATION_FIELDS = {
  seq: SEQ, IpamPoolAllocationId: REQUIRED_ID, IpamPoolId: REQUIRED_ID,
  Cidr: { ...CIDR_TEXT, required: true }, SourceCidr: { ...CIDR_TEXT, required: true },
  ResourceType: { type: 'string', required: true, oneOf: ['Custom', 'IpamPool'] }, ResourceId: REQUIRED_ID,
  ResourceRegionId: REGION, RegionId: REGION, IpamPoolAllocationName: NAME, IpamPoolAllocationDescription: DESCRIPTION, CreationTime: TIME,
} as const;

const CLIENT_TOKEN_FIELDS = {
  token: { ...CLIENT_TOKEN, required: true },
  // only a mutation keeps its ClientToken
  action: { type: 'string', required: true, oneOf: OPERATIONS.filter((op) => op.mutates).map((op) => op.action) },
  digest: { type: 'string', required: true, minLength: 1 },
  // when it was first given (its 24 hours run from then); absent in documents before 2026-11-27
  time: { ...TIME, required: false },
} as const;
const DOCUMENT_KEYS = new Set(['format', 'version', 'seq', 'idState', 'allocationIds', 'ipams', 'scopes', 'pools', 'allocations', 'clientTokens']);

type Plain = Record<string, unknown>;

/** JSON data, as JSON.parse gives it (a stored response is cloned and exported again). */
function isJsonData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 16) return false; // responses are a few levels deep; this also stops a cycle
  if (Array.isArray(value)) return value.every((item) => isJsonData(item, depth + 1));
  return isPlainObject(value) && Object.values(value).every((item) => isJsonData(item, depth + 1));
}

/** The sorted keys to keep, by a record's keys (in their order) and the keys it drops: records share a few shapes. */
const KEPT_KEYS = new Map<string, string[]>();

/** A record's data fields in a fixed (sorted) key order, so equal states export equal text. */
function strip<T extends object>(record: T, drop: readonly string[]): Plain {
  const keys = Object.keys(record);
  const shape = `${keys.join()} ${drop.join()}`;
  let kept = KEPT_KEYS.get(shape);
  if (kept === undefined) KEPT_KEYS.set(shape, (kept = keys.filter((key) => !drop.includes(key)).sort()));
  const out: Plain = {};
  for (const key of kept) {
    const value = (record as Plain)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The whole service as plain JSON data, records in creation order. */
export function writeState(ctx: Context, idState: number | undefined): Plain {
  const pools = [...ctx.store.pools.values()].map((pool) => ({
    ...strip(pool, ['space', 'cidrs', 'allocations', 'children']),
    Cidrs: [...pool.cidrs.values()].map((c) => strip(c, ['block'])),
    // the random strategy's generator, so a restored pool goes on drawing where it left off
    RandomState: pool.space.randomState.map((half) => half.toString(16).padStart(8, '0')).join(''),
  }));
  // what may share arrays and objects with the records (tags, region lists, stored responses) is
  // cloned; allocations hold strings and numbers alone, and are most of a big state
  const shared = structuredClone({
    ipams: [...ctx.store.ipams.values()].map((r) => strip(r, [])),
    scopes: [...ctx.store.scopes.values()].map((r) => strip(r, ['spaces', 'pools'])),
    pools,
    clientTokens: [...ctx.store.clientTokens.entries()].map(([token, { at, ...entry }]) => ({ token, ...entry, time: formatTime(new Date(at)) })),
  });
  const allocations = [...ctx.store.pools.values()].flatMap((pool) => [...pool.allocations.values()]).sort((a, b) => a.seq - b.seq);
  const dropped = [...BLOCK_WORDS, 'slot'];
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    seq: ctx.store.seq,
    ...(idState === undefined ? {} : { idState }),
    // new allocation IDs carry slots of the allocation index (documents without this field were
    // written by a build whose IDs did not: a service restored from one goes on as that build did)
    ...(ctx.store.allocations.slotIds ? { allocationIds: 'slot' } : {}),
    ipams: shared.ipams,
    scopes: shared.scopes,
    pools: shared.pools,
    allocations: allocations.map((r) => strip(r, dropped)),
    clientTokens: shared.clientTokens,
  };
}

function fields<P extends ParamSpecs>(where: string, specs: P, value: unknown) {
  try {
    return validateParams(where, specs, value);
  } catch (error) {
    if (error instanceof IpamApiError) throw new IpamStateError(`${where}: ${error.message}`);
    throw error;
  }
}

function list(doc: Plain, key: string): unknown[] {
  const value = doc[key];
  if (!Array.isArray(value)) throw new IpamStateError(`"${key}" must be a list`);
  return value;
}

function fail(where: string, message: string): never {
  throw new IpamStateError(`${where}: ${message}`);
}

/** A value in a message: as JSON when it has a JSON form (a BigInt or a cycle has none). */
function shown(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch {
    return `a ${typeof value} that JSON cannot hold`;
  }
}

/** Rebuilds the document into an empty context; throws IpamStateError on the first problem. */
export function readState(ctx: Context, doc: unknown): { idState: number | undefined } {
  if (!isPlainObject(doc)) throw new IpamStateError('the document must be a JSON object');
  if (doc.format !== STATE_FORMAT) throw new IpamStateError(`unknown format ${shown(doc.format)} (expected ${STATE_FORMAT})`);
  if (doc.version !== STATE_VERSION) throw new IpamStateError(`unsupported version ${shown(doc.version)} (this build reads ${STATE_VERSION})`);
  const unknown = Object.keys(doc).filter((key) => !DOCUMENT_KEYS.has(key));
  if (unknown.length > 0) throw new IpamStateError(`unknown field ${JSON.stringify(unknown[0])} in the document`);
  const { store } = ctx;
  const seqs = new Set<number>();
  const claim = (where: string, seq: number) => {
    if (seqs.has(seq)) fail(where, `sequence number ${seq} is used twice`);
    seqs.add(seq);
  };
  // the IDs of IPAMs, their resource discoveries, scopes and pools, one resource each (new IDs are
  // drawn clear of all of them alike)
  const ids = new Set<string>();
  const claimId = (where: string, id: string) => {
    if (ids.has(id)) fail(where, `ID ${id} names two resources`);
    ids.add(id);
  };

  for (const [i, raw] of list(doc, 'ipams').entries()) {
    const where = `ipams[${i}]`;
    const r = fields(where, IPAM_FIELDS, raw);
    claim(where, r.seq);
    checkTime(where, r.CreateTime);
    asApiWould(where, () => {
      ctx.knownRegion(r.RegionId);
      regionList(ctx, r.OperatingRegionList, 'OperatingRegionList');
    });
    if (!r.OperatingRegionList.includes(r.RegionId)) fail(where, 'the hosted region is not an operating region');
    if (r.PrivateDefaultScopeId === r.PublicDefaultScopeId) fail(where, 'the private and the public default scope are one scope');
    if (store.ipams.has(r.IpamId) || ctx.ipamHostedIn(r.RegionId)) fail(where, `a second IPAM ${r.IpamId} in ${r.RegionId}`);
    for (const id of [r.IpamId, r.DefaultResourceDiscoveryId, r.DefaultResourceDiscoveryAssociationId]) claimId(where, id);
    store.ipams.add(r.IpamId, { ...r, Tags: r.Tags } as IpamRecord);
  }

  const scopesPerIpam = new Map<string, number>();
  for (const [i, raw] of list(doc, 'scopes').entries()) {
    const where = `scopes[${i}]`;
    const r = fields(where, SCOPE_FIELDS, raw);
    claim(where, r.seq);
    const ipam = store.ipams.get(r.IpamId) ?? fail(where, `unknown IPAM ${r.IpamId}`);
    if (r.RegionId !== ipam.RegionId) fail(where, 'region differs from its IPAM');
    if (store.scopes.has(r.IpamScopeId)) fail(where, `duplicate scope ${r.IpamScopeId}`);
    claimId(where, r.IpamScopeId);
    checkTime(where, r.CreateTime);
    const isDefaultId = r.IpamScopeId === ipam.PrivateDefaultScopeId || r.IpamScopeId === ipam.PublicDefaultScopeId;
    if (isDefaultId !== r.IsDefault) fail(where, 'IsDefault disagrees with the IPAM');
    // CreateIpam makes the one public scope; CreateIpamScope makes private ones only, up to the quota
    if (r.IpamScopeType !== (r.IpamScopeId === ipam.PublicDefaultScopeId ? 'public' : 'private')) fail(where, `a scope of type ${r.IpamScopeType} the API could not have made`);
    const scopeCount = (scopesPerIpam.get(r.IpamId) ?? 0) + 1;
    if (scopeCount > MAX_SCOPES) fail(where, `more scopes than an IPAM may hold (${MAX_SCOPES})`);
    scopesPerIpam.set(r.IpamId, scopeCount);
    const { seq, CreateTime, ...scopeFields } = r;
    newScope(ctx, scopeFields as Omit<ScopeRecord, 'seq' | 'spaces' | 'pools' | 'CreateTime'>, newScopeSpaces(ctx, 1)[0], { seq, CreateTime });
  }
  for (const ipam of store.ipams.values()) {
    const own = (id: string) => store.scopes.get(id)?.IpamId === ipam.IpamId;
    if (!own(ipam.PrivateDefaultScopeId) || !own(ipam.PublicDefaultScopeId)) fail(`IPAM ${ipam.IpamId}`, "a default scope is missing, or is another IPAM's");
  }

  const allocationsById = new Map<string, Plain>();
  for (const [i, raw] of list(doc, 'allocations').entries()) {
    const where = `allocations[${i}]`;
    const r = fields(where, ALLOCATION_FIELDS, raw);
    checkTime(where, r.CreationTime);
    if (allocationsById.has(r.IpamPoolAllocationId)) fail(where, `duplicate allocation ${r.IpamPoolAllocationId}`);
    allocationsById.set(r.IpamPoolAllocationId, r as unknown as Plain);
  }

  const cidrQueue: Array<{ pool: PoolRecord; record: Plain; where: string }> = [];
  /** Allocations checked and in the engine and the ID index, waiting to go into their pools. */
  const restored: Array<[PoolRecord, AllocationRecord]> = [];
  for (const [i, raw] of list(doc, 'pools').entries()) {
    const where = `pools[${i}]`;
    if (!isPlainObject(raw)) fail(where, 'must be an object');
    const { Cidrs: cidrs, ...rest } = raw;
    const r = fields(where, POOL_FIELDS, rest);
    claim(where, r.seq);
    checkTime(where, r.CreateTime);
    if (store.pools.has(r.IpamPoolId)) fail(where, `duplicate pool ${r.IpamPoolId}`);
    claimId(where, r.IpamPoolId);
    const scope = store.scopes.get(r.IpamScopeId) ?? fail(where, `unknown scope ${r.IpamScopeId}`);
    if (scope.IpamId !== r.IpamId) fail(where, 'scope and IPAM disagree');
    const ipam = store.ipams.get(r.IpamId)!;
    const parent = r.SourceIpamPoolId === undefined ? undefined : store.pools.get(r.SourceIpamPoolId) ?? fail(where, `unknown source pool ${r.SourceIpamPoolId}`);
    if (parent && (parent.IpamScopeId !== r.IpamScopeId || parent.IpVersion !== r.IpVersion)) fail(where, 'scope or IP version differs from the source pool');
    // the API numbers a pool after its source (an export lists pools by number, each after its source)
    if (parent && r.seq < parent.seq) fail(where, 'a sub-pool numbered before its source pool');
    if (r.PoolDepth !== (parent ? parent.PoolDepth + 1 : 1)) fail(where, 'PoolDepth does not match the pool tree');
    if (r.PoolRegionId !== undefined && !ipam.OperatingRegionList.includes(r.PoolRegionId)) fail(where, 'pool region is not an operating region');
    if (parent?.PoolRegionId !== undefined && r.PoolRegionId !== parent.PoolRegionId) fail(where, "region differs from the source pool's");
    if (r.Ipv6Isp !== undefined && (r.IpVersion !== 'IPv6' || scope.IpamScopeType !== 'public')) fail(where, 'only public IPv6 pools have an ISP');
    if (r.AutoImport && r.PoolRegionId === undefined) fail(where, 'AutoImport needs a pool region');
    const bits = familyBits(r.IpVersion);
    asApiWould(where, () => checkMasks(r.IpVersion, r));
    const { RandomState, ...poolFields } = r;
    if (RandomState !== undefined && !/^[0-9a-f]{16}$/.test(RandomState)) fail(where, 'RandomState must be 16 lower-case hex digits');
    const pool: PoolRecord = {
      ...(poolFields as unknown as Omit<PoolRecord, 'space' | 'cidrs' | 'allocations' | 'children'>),
      AllocationStrategy: r.AllocationStrategy ?? 'first-fit', // documents written before the extension
      space: ctx.engine.createSpace(r.IpVersion === 'IPv4' ? 4 : 6),
      cidrs: new PoolCidrs(bits),
      allocations: new Collection<AllocationRecord>(false),
      children: new Set(),
    };
    // documents written before RandomState existed: the seed a new pool of that ID would get
    if (RandomState === undefined) pool.space.seedRandom(seedFromId(pool.IpamPoolId));
    else pool.space.setRandomState(parseInt(RandomState.slice(0, 8), 16), parseInt(RandomState.slice(8), 16));
    store.pools.add(pool.IpamPoolId, pool);
    scope.pools.add(pool.IpamPoolId);
    parent?.children.add(pool.IpamPoolId);
    if (!Array.isArray(cidrs)) fail(where, '"Cidrs" must be a list');
    cidrs.forEach((c, j) => cidrQueue.push({ pool, record: c as Plain, where: `${where}.Cidrs[${j}]` }));
  }

  // provisioned CIDRs in creation order: a sub-pool's CIDR is carved after its parent's exists
  const byWhere = cidrQueue.map((entry) => ({ ...entry, r: fields(entry.where, CIDR_FIELDS, entry.record) }));
  byWhere.sort((a, b) => a.r.seq - b.r.seq);
  const used = new Set<string>();
  for (const { pool, r, where } of byWhere) {
    claim(where, r.seq);
    const block = parseFor(ctx, pool, r.Cidr, where);
    if (formatCidr(block) !== r.Cidr) fail(where, `${r.Cidr} is not canonical`);
    if (pool.cidrs.has(r.Cidr)) fail(where, `duplicate CIDR ${r.Cidr}`);
    // the quota every build kept; the public IPv6 pools' one CIDR, and one such pool per ISP and
    // region, are newer (2026-11-26, -27): documents written before them still load
    if (pool.cidrs.size >= MAX_CIDRS_PER_POOL) fail(where, `more provisioned CIDRs than a pool may hold (${MAX_CIDRS_PER_POOL})`);
    const parent = pool.SourceIpamPoolId === undefined ? undefined : store.pools.get(pool.SourceIpamPoolId)!;
    if (ctx.excluded(block)) fail(where, `${r.Cidr} overlaps an excluded range`);
    if (parent) {
      const held = r.parentAllocationId === undefined ? undefined : allocationsById.get(r.parentAllocationId);
      if (!held || held.ResourceType !== 'IpamPool' || held.ResourceId !== pool.IpamPoolId || held.Cidr !== r.Cidr || held.IpamPoolId !== parent.IpamPoolId) {
        fail(where, `the parent pool holds no matching IpamPool allocation for ${r.Cidr}`);
      }
      // the sub-pool's region (builds before 2026-11-27 gave the parent's, the allocation's own RegionId)
      if (held.ResourceRegionId !== undefined && held.ResourceRegionId !== ctx.regionOf(pool) && held.ResourceRegionId !== held.RegionId) {
        fail(where, `the IpamPool allocation's ResourceRegionId should be ${ctx.regionOf(pool)}`);
      }
      if (held.IpamPoolAllocationName !== undefined || held.IpamPoolAllocationDescription !== undefined) fail(where, 'an IpamPool allocation with a name or description');
      engineStep(where, () => parent.space.reserve(block), `${r.Cidr} is not free inside the parent pool`);
      restored.push(restoreAllocation(ctx, parent, held, block, where));
      used.add(r.parentAllocationId!);
    } else {
      if (r.parentAllocationId !== undefined) fail(where, 'a top-level pool CIDR has no parent allocation');
      engineStep(where, () => store.scopes.get(pool.IpamScopeId)!.spaces[pool.IpVersion].reserve(block), `${r.Cidr} overlaps another pool's CIDR in the scope`);
    }
    engineStep(where, () => pool.space.addSource(block), `${r.Cidr} overlaps another CIDR of the pool`);
    pool.cidrs.add(r.Cidr, { seq: r.seq, Cidr: r.Cidr, block, ...(r.parentAllocationId === undefined ? {} : { parentAllocationId: r.parentAllocationId }) });
  }

  // custom allocations, in creation order
  const custom = [...allocationsById.entries()].filter(([id]) => !used.has(id)).map(([, a]) => a).sort((a, b) => (a.seq as number) - (b.seq as number));
  for (const a of custom) {
    const where = `allocation ${a.IpamPoolAllocationId}`;
    if (a.ResourceType !== 'Custom') fail(where, 'an IpamPool allocation with no sub-pool CIDR behind it');
    const pool = store.pools.get(a.IpamPoolId as string) ?? fail(where, `unknown pool ${a.IpamPoolId}`);
    // a custom allocation is its own resource, in its pool's region (recordAllocation)
    if (a.ResourceId !== a.IpamPoolAllocationId) fail(where, `ResourceId should be ${a.IpamPoolAllocationId}, the allocation's own ID`);
    if (a.ResourceRegionId !== undefined && a.ResourceRegionId !== ctx.regionOf(pool)) fail(where, `ResourceRegionId should be ${ctx.regionOf(pool)}`);
    const block = parseFor(ctx, pool, a.Cidr as string, where);
    engineStep(where, () => pool.space.reserve(block), `${a.Cidr} lies outside the pool's CIDRs or overlaps another allocation`);
    restored.push(restoreAllocation(ctx, pool, a, block, where));
  }
  // into their pools in creation order, each added last (a sub-pool's CIDR taken after some custom
  // allocations, added before them, moved each of them: O(allocations × sub-pool CIDRs))
  for (const [pool, record] of restored.sort((a, b) => a[1].seq - b[1].seq)) pool.allocations.add(record.IpamPoolAllocationId, record);
  for (const pool of store.pools.values()) {
    for (const a of pool.allocations.values()) claim(`allocation ${a.IpamPoolAllocationId}`, a.seq);
  }

  let highest = 0;
  for (const seq of seqs) highest = Math.max(highest, seq);
  if (!Number.isInteger(doc.seq) || (doc.seq as number) < highest || (doc.seq as number) > SEQ_LIMIT) {
    throw new IpamStateError(`"seq" must be an integer of at least every record's sequence number and at most 2^52`);
  }
  store.seq = doc.seq as number;
  for (const [i, raw] of list(doc, 'clientTokens').entries()) {
    const where = `clientTokens[${i}]`;
    if (!isPlainObject(raw)) fail(where, 'must be {token, action, digest, response}');
    const { response, ...entry } = raw;
    const r = fields(where, CLIENT_TOKEN_FIELDS, entry);
    if (!isPlainObject(response) || !isJsonData(response)) fail(where, '"response" must be a JSON object');
    if (store.clientTokens.has(r.token)) fail(where, `token ${JSON.stringify(r.token)} is there twice`);
    if (r.time !== undefined) checkTime(`${where}.time`, r.time);
    const digest = currentDigest(r.digest);
    // a digest of another action would refuse every retry
    if (!isDigestOf(r.action, digest)) fail(where, `the digest is not one of a ${r.action} request`);
    // a token of an older document is held for 24 hours from its restore
    const at = r.time === undefined ? ctx.nowSecond() : Date.parse(r.time);
    store.clientTokens.add(r.token, { action: r.action, digest, response: structuredClone(response), at });
  }
  if (doc.allocationIds !== undefined && doc.allocationIds !== 'slot') throw new IpamStateError('"allocationIds" must be "slot" or absent');
  store.allocations.slotIds = doc.allocationIds === 'slot';
  const idState = doc.idState;
  if (idState !== undefined && (!Number.isInteger(idState) || (idState as number) < 0 || (idState as number) > 0xffffffff)) throw new IpamStateError('"idState" must be a u32');
  return { idState: idState as number | undefined };
}

function parseFor(ctx: Context, pool: PoolRecord, text: string, where: string): Cidr {
  try {
    return ctx.cidrFor(pool.IpVersion, text);
  } catch (error) {
    if (error instanceof IpamApiError) fail(where, error.message);
    throw error;
  }
}

/** A record's time as the API writes it (formatTime), or the document is refused. */
function checkTime(where: string, text: string): void {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || formatTime(date) !== text) fail(where, `${JSON.stringify(text)} is not a time as the API writes one (YYYY-MM-DDThh:mm:ssZ)`);
}

/** Runs an API rule on a record: its IpamApiError becomes the document's IpamStateError. */
function asApiWould(where: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof IpamApiError) fail(where, error.message);
    throw error;
  }
}

function engineStep(where: string, step: () => unknown, why: string): void {
  try {
    step();
  } catch (error) {
    // running out of memory says nothing of the document: that EngineError goes on as it is
    if (error instanceof EngineError && error.code !== 'OUT_OF_MEMORY') fail(where, `${why} (${error.code})`);
    throw error;
  }
}

/** Checks an allocation the engine took for the pool and adds it to the ID index; the caller adds it to the pool. */
function restoreAllocation(ctx: Context, pool: PoolRecord, a: Plain, block: Cidr, where: string): [PoolRecord, AllocationRecord] {
  const record = a as unknown as AllocationRecord;
  if (record.Cidr !== formatCidr(block)) fail(where, `${record.Cidr} is not canonical`);
  const words = blockOf(block);
  if (record.SourceCidr !== sourceCidrOf(pool, words)) fail(where, `SourceCidr should be ${sourceCidrOf(pool, words)}`);
  const region = ctx.regionOf(pool);
  if (record.RegionId !== region) fail(where, `RegionId should be ${region}`);
  const copy = allocationRecord(record, words);
  ctx.store.allocations.add(copy);
  return [pool, copy];
}

/** Frees every engine space the records hold: a failed restore's, or a disposed service's. */
export function disposeState(ctx: Context): void {
  for (const scope of ctx.store.scopes.values()) {
    scope.spaces.IPv4.destroy();
    scope.spaces.IPv6.destroy();
  }
  for (const pool of ctx.store.pools.values()) pool.space.destroy();
}
