/**
 * Parameter specs: the operation table declares each parameter once, and the same spec
 * validates in-process calls, types the typed methods, and (in the server) decodes the wire.
 */
import { STRATEGIES, type AllocationStrategy } from '../engine/index.js';
import { illegalParam, missingParam, apiError, IpamApiError } from './errors.js';
import { MAX_TAGS } from './limits.js';
import { TOKEN_SHAPE } from './collection.js';

export interface Tag {
  Key: string;
  Value?: string;
}

interface Common {
  readonly required?: boolean;
  /** What leaving the parameter out means, for docs/api-reference.md (the operation applies it). */
  readonly default?: string;
  /** A rule of the operation's that the type does not say, for docs/api-reference.md. */
  readonly note?: string;
}
export interface StringSpec extends Common {
  readonly type: 'string';
  /** Length limits in characters (code points). */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly oneOf?: readonly string[];
  /**
   * name: no http(s):// prefix; description: also starts with a letter (a Chinese character
   * counts); scope-description: also starts with a letter that is not a Chinese character (spec
   * §2.7: the scope pages say "letter" only); ascii: ASCII only.
   */
  readonly rule?: 'name' | 'description' | 'scope-description' | 'ascii' | 'token';
}
export interface IntegerSpec extends Common {
  readonly type: 'integer';
  readonly min: number;
  readonly max: number;
}
export interface BooleanSpec extends Common {
  readonly type: 'boolean';
}
export interface ListSpec extends Common {
  readonly type: 'list';
  readonly maxItems: number;
  readonly item: StringSpec;
  /**
   * A list's filter: an empty one is no filter, as on the wire, where the vendor's client sends
   * nothing for an empty list (and as an empty Tags filter is).
   */
  readonly filter?: boolean;
}
export interface TagsSpec extends Common {
  readonly type: 'tags';
  /** A list's filter: tags are matched, never refused for their content (see FILTER_TEXT). */
  readonly filter?: boolean;
}
export type ParamSpec = StringSpec | IntegerSpec | BooleanSpec | ListSpec | TagsSpec;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type ValueOf<S extends ParamSpec> = S extends StringSpec
  ? S['oneOf'] extends readonly string[] ? S['oneOf'][number] : string
  : S extends IntegerSpec ? number
  : S extends BooleanSpec ? boolean
  : S extends ListSpec ? string[]
  : Tag[];

type RequiredKeys<P extends ParamSpecs> = { [K in keyof P]: P[K]['required'] extends true ? K : never }[keyof P];

/** The request object an operation takes, inferred from its parameter specs. */
export type ParamsOf<P extends ParamSpecs> =
  { [K in RequiredKeys<P>]: ValueOf<P[K]> } & { [K in Exclude<keyof P, RequiredKeys<P>>]?: ValueOf<P[K]> };

// Shared specs (spec §2.7, §3)
export const NAME = { type: 'string', minLength: 1, maxLength: 128, rule: 'name' } as const;
export const DESCRIPTION = { type: 'string', minLength: 1, maxLength: 256, rule: 'description' } as const;
export const SCOPE_DESCRIPTION = { ...DESCRIPTION, rule: 'scope-description' } as const;
export const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
/** Extension (not in the cloud's API): how a pool picks blocks for CidrMask / NetmaskLength requests. */
export const ALLOCATION_STRATEGY = { type: 'string', oneOf: Object.keys(STRATEGIES) as AllocationStrategy[] } as const;
/** Extension: the seed of the pool's generator for the random strategy (default: derived from the pool's ID). */
export const RANDOM_SEED = { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER } as const;
export const REQUIRED_ID = { ...ID, required: true } as const;
/** CIDR text of either family (parsed against the pool's, with its own codes, by the operation). */
export const CIDR_TEXT = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** A prefix length of either family (held to the pool's family by the operation). */
export const MASK = { type: 'integer', min: 0, max: 128 } as const;
export const IP_VERSION = { type: 'string', oneOf: ['IPv4', 'IPv6'] } as const;
export const ISP = { type: 'string', oneOf: ['BGP', 'ChinaMobile', 'ChinaUnicom', 'ChinaTelecom'] } as const;
export const SCOPE_TYPE = { type: 'string', oneOf: ['private', 'public'] } as const;
/** A region ID that is not the request's own RegionId (a pool's region, an operating region). */
export const REGION_ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** The request's own RegionId, which every operation takes. */
export const REGION = { ...REGION_ID, required: true } as const;
export const REGION_LIST = { type: 'list', maxItems: 50, item: REGION_ID } as const;
export const DRY_RUN = { type: 'boolean', default: '`false`' } as const;
export const CLIENT_TOKEN = { type: 'string', minLength: 1, maxLength: 64, rule: 'ascii' } as const;
/** A page's length when MaxResults is left out. */
export const DEFAULT_MAX_RESULTS = 10;
export const MAX_RESULTS = { type: 'integer', min: 1, max: 100, default: String(DEFAULT_MAX_RESULTS) } as const;
export const NEXT_TOKEN = { type: 'string', minLength: 1, maxLength: 256, rule: 'token' } as const;
export const TAGS = { type: 'tags' } as const;
/**
 * A list's filter (spec §5.6, §5.9, §5.14): a value that cannot match, a malformed or empty one
 * included, gives an empty page rather than an error, so only its type and a generous length
 * are held.
 */
export const FILTER_TEXT = { type: 'string', maxLength: 1024 } as const;
export const FILTER_IDS = { type: 'list', maxItems: 100, item: FILTER_TEXT, filter: true } as const;
export const TAG_FILTER = { type: 'tags', filter: true } as const;
export const MUTATION = { DryRun: DRY_RUN, ClientToken: CLIENT_TOKEN } as const;
export const PAGE = { MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN } as const;

const URL_PREFIX = /^https?:\/\//i;
const STARTS_WITH_LETTER = /^\p{L}/u;
const STARTS_WITH_LETTER_NOT_HAN = /^(?!\p{Script=Han})\p{L}/u;
const ASCII = /^[\x20-\x7e]*$/;

/**
 * A parameter's check, made once from its spec: returns the value to keep (lists and tags are
 * copied), or throws IllegalParam.<name>. The name is an argument so one check serves every
 * place a spec is used (tag keys are checked under Tag.1.Key, Tag.2.Key, ...).
 */
type Check = (name: string, value: unknown) => unknown;

function stringCheck(spec: StringSpec): (name: string, value: unknown) => string {
  const min = spec.minLength ?? 0, max = spec.maxLength ?? Infinity;
  const { oneOf, rule } = spec;
  return (name, value) => {
    if (typeof value !== 'string') throw illegalParam(name, `expected a string, got ${describe(value)}`);
    // A character (code point) is one or two UTF-16 units: count exactly only when units leave doubt.
    if (value.length > max || value.length < 2 * min) {
      let length = 0;
      for (const _ of value) if (++length > max) break;
      if (length < min) throw illegalParam(name, `shorter than ${min} characters`);
      if (length > max) throw illegalParam(name, `longer than ${max} characters`);
    }
    if (rule !== undefined || oneOf !== undefined) checkStringRule(name, value, spec);
    return value;
  };
}

function checkStringRule(name: string, value: string, { oneOf, rule }: StringSpec): void {
  if (oneOf && !oneOf.includes(value)) throw illegalParam(name, `must be one of ${oneOf.join(', ')}`);
  if (rule === 'token') {
    if (!TOKEN_SHAPE.test(value)) throw illegalParam(name, 'not a token returned by this list');
    return;
  }
  if (rule !== undefined && rule !== 'ascii' && URL_PREFIX.test(value)) throw illegalParam(name, 'must not begin with http:// or https://');
  if (rule === 'description' && !STARTS_WITH_LETTER.test(value)) throw illegalParam(name, 'must begin with a letter');
  if (rule === 'scope-description' && !STARTS_WITH_LETTER_NOT_HAN.test(value)) throw illegalParam(name, 'must begin with a letter (not a Chinese character)');
  if (rule === 'ascii' && !ASCII.test(value)) throw illegalParam(name, 'must be printable ASCII');
}

// spec §2.7: the key is held to the name rule and more; the value only to its length
const checkTagKey = stringCheck({ type: 'string', minLength: 1, maxLength: 64, rule: 'name' });
const checkTagValue = stringCheck({ type: 'string', maxLength: 128 });
const checkFilterText = stringCheck(FILTER_TEXT);
const checkFilterValue = stringCheck({ type: 'string', maxLength: FILTER_TEXT.maxLength });

/** Tags of a resource, or (filter) tags to match: only a resource's are held to the tag rules. */
function tagsCheck(filter: boolean): Check {
  const checkKey = filter ? checkFilterText : checkTagKey;
  const checkValue = filter ? checkFilterValue : checkTagValue;
  return (name, value) => {
    if (!Array.isArray(value)) throw illegalParam(name, `expected a list of {Key, Value}, got ${describe(value)}`);
    if (value.length > MAX_TAGS) throw illegalParam(name, `at most ${MAX_TAGS} tags`);
    const seen = new Set<string>();
    return value.map((tag: unknown, i) => {
      if (!isPlainObject(tag)) throw illegalParam(`${name}.${i + 1}`, 'expected {Key, Value}');
      for (const key of Object.keys(tag)) if (key !== 'Key' && key !== 'Value') throw illegalParam(`${name}.${i + 1}`, `unknown field ${JSON.stringify(key)}`);
      const key = checkKey(`${name}.${i + 1}.Key`, tag.Key);
      if (!filter) {
        if (/^(aliyun|acs:)/i.test(key)) throw illegalParam(`${name}.${i + 1}.Key`, 'must not begin with aliyun or acs:');
        if (seen.has(key)) throw apiError('DuplicatedParam.TagKey', key);
        seen.add(key);
      }
      // a resource's tag without a Value is the tag with an empty one (on the wire they are one
      // request), and is listed and matched as such; a filter without one matches any value
      if (tag.Value === undefined) return filter ? { Key: key } : { Key: key, Value: '' };
      return { Key: key, Value: checkValue(`${name}.${i + 1}.Value`, tag.Value) };
    });
  };
}
const checkTags = tagsCheck(false);
const checkTagFilter = tagsCheck(true);

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw illegalParam(name, `expected true or false, got ${describe(value)}`);
  return value;
}

function checkOf(spec: ParamSpec): Check {
  switch (spec.type) {
    case 'string':
      return stringCheck(spec);
    case 'integer': {
      const { min, max } = spec;
      return (name, value) => {
        if (typeof value !== 'number' || !Number.isInteger(value)) throw illegalParam(name, `expected an integer, got ${describe(value)}`);
        if (value < min || value > max) throw illegalParam(name, `must be between ${min} and ${max}`);
        return value;
      };
    }
    case 'boolean':
      return checkBoolean;
    case 'list': {
      const { maxItems, filter } = spec, checkItem = stringCheck(spec.item);
      return (name, value) => {
        if (!Array.isArray(value)) throw illegalParam(name, `expected a list, got ${describe(value)}`);
        if (value.length > maxItems) throw illegalParam(name, `at most ${maxItems} items`);
        if (filter && value.length === 0) return undefined;
        return value.map((item, i) => checkItem(`${name}.${i + 1}`, item));
      };
    }
    case 'tags':
      return spec.filter ? checkTagFilter : checkTags;
  }
}

/** What a refused value is, in its message: the text itself for a string (on the wire every value is one). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value)}`;
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

interface Param {
  readonly name: string;
  readonly required: boolean;
  readonly check: Check;
}

/** A spec table made ready to validate with: its params in declaration order and by name. */
interface Validator {
  readonly params: readonly Param[];
  readonly byName: ReadonlyMap<string, Param>;
  readonly requiredCount: number;
  /**
   * The keys of the last requests seen, by position, with their params: callers send the same
   * keys in the same order call after call, and comparing a key with the one seen at its
   * position costs a fraction of a Map lookup.
   */
  readonly seenKeys: string[];
  readonly seenParams: Param[];
}

const VALIDATORS = new WeakMap<ParamSpecs, Validator>();
function validatorOf(specs: ParamSpecs): Validator {
  let validator = VALIDATORS.get(specs);
  if (!validator) {
    const params = Object.entries(specs).map(([name, spec]) => ({ name, required: spec.required === true, check: checkOf(spec) }));
    validator = {
      params, byName: new Map(params.map((param) => [param.name, param])), requiredCount: params.filter((p) => p.required).length, seenKeys: [], seenParams: [],
    };
    VALIDATORS.set(specs, validator);
  }
  return validator;
}

/**
 * Validates a request against its specs and returns a fresh object holding only declared
 * parameters (so nothing from the caller's object, prototype or getters leaks into state).
 * The request is its own enumerable properties, each read once (the copy below); symbol-keyed
 * ones ride along in the copy unread.
 */
export function validateParams<P extends ParamSpecs>(action: string, specs: P, input: unknown): ParamsOf<P> {
  if (input === undefined) input = {};
  if (!isPlainObject(input)) throw new IpamApiError('InvalidParameter', 400, `The request of ${action} must be an object of parameters.`);
  const validator = validatorOf(specs);
  // Fast path, in the request's key order: a spread copy (one cheap clone, no property-by-property
  // build) whose values are checked in place. Any problem goes to the reference path below, so
  // which error is reported never depends on the key order.
  const request = { ...input };
  try {
    let required = 0;
    let at = 0;
    const { seenKeys, seenParams } = validator;
    for (const key in request) {
      let param = seenKeys[at] === key ? seenParams[at] : undefined;
      if (param === undefined) {
        param = validator.byName.get(key);
        if (param !== undefined) {
          seenKeys[at] = key;
          seenParams[at] = param;
        }
      }
      at++;
      const value = request[key];
      if (param === undefined || value === undefined) return inDeclarationOrder(action, validator, request);
      const checked = param.check(key, value);
      if (checked !== value) request[key] = checked;
      if (param.required) required++;
    }
    if (required === validator.requiredCount) return request as ParamsOf<P>;
  } catch (error) {
    if (!(error instanceof IpamApiError)) throw error;
  }
  return inDeclarationOrder(action, validator, request);
}

/**
 * The reference validation: unknown parameters first, then each declared parameter in table
 * order (missing or illegal), so the first problem by that order is the one reported.
 */
function inDeclarationOrder<P extends ParamSpecs>(action: string, validator: Validator, request: Record<string, unknown>): ParamsOf<P> {
  // for…in, not Object.keys: no array per call (a plain object has no inherited enumerable keys)
  for (const key in request) {
    if (!validator.byName.has(key)) throw apiError('InvalidParameter', `${action} takes no parameter ${JSON.stringify(key.length > 64 ? key.slice(0, 64) + '…' : key)}.`);
  }
  // A plain object (Object.create(null) would be a slow dictionary): only spec-declared names are
  // ever assigned, and no spec declares __proto__, so nothing from the caller reaches a prototype.
  const out: Record<string, unknown> = {};
  for (const { name, required, check } of validator.params) {
    const value = request[name];
    if (value === undefined) {
      if (required) throw missingParam(name);
      continue;
    }
    out[name] = check(name, value);
  }
  return out as ParamsOf<P>;
}
