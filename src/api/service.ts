import { formatCidr, parseCidr } from '../cidr/index.js';
import { Engine, EngineError, type AddressSpace, type WasmSource } from '../engine/index.js';
import { Context } from './context.js';
import { digestOf } from './client-token.js';
import { apiError, IpamApiError } from './errors.js';
import { IdSource, type Clock } from './ids.js';
import type { Commit } from './operation.js';
import { Store } from './model.js';
import { validateParams } from './params.js';
import { disposeState, readState, writeState } from './state.js';
import { methodName, OPERATION_BY_ACTION, OPERATIONS, type Action, type RequestOf, type ResponseOf } from './table.js';

/** Alibaba Cloud region IDs accepted as RegionId (override with `regions`). */
export const DEFAULT_REGIONS = [
  'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai',
  'cn-nanjing', 'cn-fuzhou', 'cn-wuhan-lr', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong',
  'cn-beijing-finance-1', 'cn-shanghai-finance-1', 'cn-shenzhen-finance-1',
  'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-3', 'ap-southeast-5', 'ap-southeast-6',
  'ap-southeast-7', 'ap-south-1', 'us-east-1', 'us-west-1', 'eu-west-1', 'eu-central-1', 'me-east-1',
  'me-central-1', 'na-south-1',
] as const;

/** Ranges no pool may provision or allocate (spec §4.2, [INFERRED]); override with `excludeCidrs`. */
export const DEFAULT_EXCLUDE_CIDRS = ['100.64.0.0/10', '224.0.0.0/4', '127.0.0.0/8', '169.254.0.0/16'] as const;

export interface IpamServiceOptions {
  /**
   * The region this service stands for: the endpoint host in error HostIds, nothing else (each
   * request names its own RegionId). One of `regions`; default cn-hangzhou, or the first of
   * `regions` when they leave it out.
   */
  hostRegion?: string;
  /** With a seed (an integer 0 … 2^32 − 1) and a clock, IDs, RequestIds and timestamps repeat run after run. */
  seed?: number;
  clock?: Clock;
  regions?: readonly string[];
  excludeCidrs?: readonly string[];
  /** An engine to share, or where to load one from. */
  engine?: Engine;
  wasm?: WasmSource;
  /**
   * Whether a refused call's IpamApiError carries a JavaScript stack trace (default true).
   * Capturing one is most of what a refusal costs (about 8 µs of the 9 here); code that treats
   * refusals as outcomes, such as the simulator meeting full pools, can turn it off.
   */
  errorStacks?: boolean;
}

/**
 * Options a service cannot work with are refused before anything is made: a seed the ID
 * generators would silently cut to 32 bits (1 and 2^32 + 1 giving the same IDs), and a host
 * region that no request could name.
 */
function checkOptions(options: IpamServiceOptions): void {
  const { seed } = options;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new RangeError(`IpamService: seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  const problem = hostRegionProblem(hostRegionOf(options), options.regions);
  if (problem) throw new RangeError(`IpamService: ${problem}`);
}

/** The host region a service takes: the one given, else cn-hangzhou, else the first of its regions. */
function hostRegionOf({ hostRegion, regions = DEFAULT_REGIONS }: IpamServiceOptions): string {
  return hostRegion ?? (regions.includes('cn-hangzhou') ? 'cn-hangzhou' : String(regions[0]));
}

/** Why a service with these regions cannot stand for `hostRegion` (undefined when it can). */
export function hostRegionProblem(hostRegion: string, regions: readonly string[] = DEFAULT_REGIONS): string | undefined {
  if (regions.includes(hostRegion)) return undefined;
  return regions.length === 0 ? 'regions must name one region at least' : `hostRegion ${JSON.stringify(hostRegion)} is not one of the service's regions (${regions.join(', ')})`;
}

/**
 * What the engine holds for a service: every pool's and scope's space, its sources and
 * allocations. exportState() is built from the records, so a test that a refused call changed
 * nothing compares this too. Internal: the package does not export it.
 */
export let engineSpacesOf: (service: IpamService) => string[];

type Methods = { [A in Action as Uncapitalize<A>]: (params: RequestOf<A>) => ResponseOf<A> };

/**
 * Alibaba Cloud VPC IPAM, in process. `create` loads the engine; every call after it is
 * synchronous. Two equal ways in: `call(Action, params)` and one camelCase method per action.
 * Failures throw IpamApiError; a refused call changes nothing.
 */
export class IpamService {
  readonly hostRegion: string;
  readonly engine: Engine;
  /** Resource IDs (exported with the state; drawn only when a call commits). */
  readonly #ids: IdSource;
  /** RequestIds: a separate stream, so refused calls leave the exported state untouched. */
  readonly #requestIds: IdSource;
  readonly #context: Context;
  readonly #errorStacks: boolean;

  private constructor(engine: Engine, options: IpamServiceOptions) {
    this.engine = engine;
    this.#errorStacks = options.errorStacks ?? true;
    this.hostRegion = hostRegionOf(options);
    this.#ids = new IdSource(options.seed);
    this.#requestIds = new IdSource(options.seed === undefined ? undefined : options.seed ^ 0x5bd1e995);
    const regions = new Set<string>(options.regions ?? DEFAULT_REGIONS);
    const exclude = (options.excludeCidrs ?? DEFAULT_EXCLUDE_CIDRS).map((c) => parseCidr(c));
    this.#context = new Context(new Store(), engine, this.#ids, options.clock, regions, exclude);
  }

  static {
    engineSpacesOf = (service) => {
      const { store } = service.#context;
      const spaces: Array<[string, AddressSpace]> = [...store.pools.values()].map((pool) => [pool.IpamPoolId, pool.space]);
      for (const scope of store.scopes.values()) spaces.push([`${scope.IpamScopeId} IPv4`, scope.spaces.IPv4], [`${scope.IpamScopeId} IPv6`, scope.spaces.IPv6]);
      return spaces.map(([name, space]) => `${name}: sources ${space.sources().map(formatCidr).join(' ')}; allocations ${space.allocations().map(formatCidr).join(' ')}`);
    };
  }

  static async create(options: IpamServiceOptions = {}): Promise<IpamService> {
    checkOptions(options);
    return new IpamService(options.engine ?? (await Engine.load(options.wasm)), options);
  }

  /**
   * The whole service as a versioned JSON document (records, the engine's allocations implied
   * by them, ClientTokens, and the ID generator's state when seeded).
   */
  exportState(): Record<string, unknown> {
    this.#checkLive();
    return writeState(this.#context, this.#ids.state);
  }

  /**
   * Gives back the engine memory of every address space the service holds, for a service made
   * on an engine that outlives it (one given in the options and shared). The service answers no
   * call and exports nothing after it: its spaces' numbers may already be another's.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    disposeState(this.#context);
  }

  #disposed = false;

  #checkLive(): void {
    if (this.#disposed) throw new Error('This IpamService was disposed: it answers no more calls.');
  }

  /**
   * Rebuilds a service from exportState's document. A malformed, unknown-version or
   * inconsistent document throws IpamStateError and leaves nothing behind.
   */
  static async restore(doc: unknown, options: IpamServiceOptions = {}): Promise<IpamService> {
    const service = await IpamService.create(options);
    try {
      const { idState } = readState(service.#context, doc);
      if (idState !== undefined) service.#ids.state = idState;
      // RequestIds stay out of the document (a refused call draws one), so a seeded restore would
      // start their stream again and answer with RequestIds the original already gave out: start
      // it where the document's history leaves off instead (still repeatable for a seed)
      if (options.seed !== undefined) {
        service.#requestIds.state = (options.seed ^ 0x5bd1e995 ^ Math.imul(service.#context.store.seq, 0x9e3779b1) ^ Math.imul(idState ?? 0, 0x85ebca6b)) >>> 0;
      }
      return service;
    } catch (error) {
      disposeState(service.#context);
      throw error;
    }
  }

  /**
   * `requestId`: the one to answer with, instead of a new one (a journal replaying a call gives
   * the one it first answered, so a ClientToken's stored response keeps it).
   */
  call<A extends Action>(action: A, params: RequestOf<A>, requestId?: string): ResponseOf<A>;
  /**
   * An action known only at run time (a string from the wire or a journal), answered alike and
   * typed loosely. A known action written out does not fall through to here, so its parameters
   * are always checked against its request type.
   */
  call<S extends string>(action: S & (S extends Action ? never : unknown), params?: unknown, requestId?: string): Record<string, unknown>;
  call(action: string, params?: unknown, requestId?: string): Record<string, unknown> {
    this.#checkLive();
    if (this.#errorStacks) return this.#answer(action, params, requestId);
    // errors made during this call capture no stack: the limit is V8's global one, put back
    // before the call returns or throws (engines without it, or with it frozen, are left alone)
    const stackLimit = Error.stackTraceLimit;
    const limited = setStackTraceLimit(0);
    try {
      return this.#answer(action, params, requestId);
    } finally {
      if (limited) setStackTraceLimit(stackLimit);
    }
  }

  #answer(action: string, params: unknown, given: string | undefined): Record<string, unknown> {
    const requestId = typeof given === 'string' ? given : this.#requestIds.requestId();
    try {
      return this.#run(action, params, requestId);
    } catch (error) {
      const apiFailure = error instanceof IpamApiError ? error
        : apiError('InternalError', error instanceof EngineError ? error.message : String((error as Error)?.message ?? error));
      apiFailure.requestId = requestId;
      throw apiFailure;
    }
  }

  #run(action: string, input: unknown, requestId: string): Record<string, unknown> {
    const operation = typeof action === 'string' ? OPERATION_BY_ACTION.get(action) : undefined;
    if (!operation) throw apiError('InvalidAction.NotFound', `Action ${JSON.stringify(String(action).slice(0, 64))}.`);
    const params = validateParams(action, operation.params, input);
    if (!operation.mutates) return { RequestId: requestId, ...(operation.run(this.#context, params) as object) };

    const token = params.ClientToken as string | undefined;
    const digest = token === undefined ? '' : digestOf(action, params);
    const tokens = this.#context.store.clientTokens;
    const now = token === undefined ? 0 : this.#context.nowSecond();
    if (token !== undefined) {
      const earlier = tokens.held(token, now);
      if (earlier) {
        if (earlier.digest !== digest) throw apiError('IdempotentParameterMismatch', `ClientToken ${token}.`);
        // the real call would answer with the first response: it would succeed
        if (params.DryRun === true) throw apiError('DryRunOperation');
        return structuredClone(earlier.response) as Record<string, unknown>;
      }
    }
    const commit = operation.run(this.#context, params) as Commit<object>;
    if (params.DryRun === true) throw apiError('DryRunOperation');
    const response = commit(requestId);
    this.#context.store.changes++;
    if (token !== undefined) tokens.remember(token, { action, digest, response: structuredClone(response), at: now });
    return response;
  }
}

/** Sets V8's Error.stackTraceLimit where it exists and is writable; true when it did. */
function setStackTraceLimit(limit: number): boolean {
  if (typeof Error.stackTraceLimit !== 'number') return false;
  try {
    Error.stackTraceLimit = limit;
    return Error.stackTraceLimit === limit;
  } catch {
    return false; // frozen intrinsics
  }
}

export interface IpamService extends Methods {}
for (const operation of OPERATIONS) {
  Object.defineProperty(IpamService.prototype, methodName(operation.action), {
    value(this: IpamService, params: unknown) {
      return this.call(operation.action as string, params);
    },
    writable: true,
    configurable: true,
  });
}
