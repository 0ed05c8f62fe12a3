/**
 * Parameter specs: the operation table declares each parameter once, and the same spec
 * validates in-process calls, types the typed methods, and (in the server) decodes the wire.
 */
import { STRATEGIES, type AllocationStrategy } from '../engine/index.js';
import { illegalParam, missingParam, apiError, IpamApiError } from './errors.js';

export interface Tag {
  Key: string;
  Value?: string;
}

interface Common {
  readonly required?: boolean;
}
export interface StringSpec extends Common {
  readonly type: 'string';
  /** Length limits in characters (code points). */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly oneOf?: readonly string[];
  /** name: no http(s):// prefix; description: also starts with a letter; ascii: ASCII only. */
  readonly rule?: 'name' | 'description' | 'ascii';
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
}
export interface TagsSpec extends Common {
  readonly type: 'tags';
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
export const REGION = { type: 'string', required: true, minLength: 1, maxLength: 64 } as const;
export const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
/** Extension (not in the cloud's API): how a pool picks blocks for CidrMask / NetmaskLength requests. */
export const ALLOCATION_STRATEGY = { type: 'string', oneOf: Object.keys(STRATEGIES) as AllocationStrategy[] } as const;
/** Extension: the seed of the pool's generator for the random strategy (default: derived from the pool's ID). */
export const RANDOM_SEED = { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER } as const;
export const REQUIRED_ID = { ...ID, required: true } as const;
export const DRY_RUN = { type: 'boolean' } as const;
export const CLIENT_TOKEN = { type: 'string', minLength: 1, maxLength: 64, rule: 'ascii' } as const;
export const MAX_RESULTS = { type: 'integer', min: 1, max: 100 } as const;
export const NEXT_TOKEN = { type: 'string', minLength: 1, maxLength: 256 } as const;
export const TAGS = { type: 'tags' } as const;
export const MUTATION = { DryRun: DRY_RUN, ClientToken: CLIENT_TOKEN } as const;
export const PAGE = { MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN } as const;

const URL_PREFIX = /^https?:\/\//i;
const STARTS_WITH_LETTER = /^\p{L}/u;
const ASCII = /^[\x20-\x7e]*$/;
const MAX_TAGS = 20;

function checkString(name: string, spec: StringSpec, value: unknown): string {
  if (typeof value !== 'string') throw illegalParam(name, `expected a string, got ${describe(value)}`);
  const min = spec.minLength ?? 0, max = spec.maxLength ?? Infinity;
  // A character (code point) is one or two UTF-16 units: count exactly only when units leave doubt.
  if (value.length > max || value.length < 2 * min) {
    let length = 0;
    for (const _ of value) if (++length > max) break;
    if (length < min) throw illegalParam(name, `shorter than ${min} characters`);
    if (length > max) throw illegalParam(name, `longer than ${max} characters`);
  }
  if (spec.oneOf && !spec.oneOf.includes(value)) throw illegalParam(name, `must be one of ${spec.oneOf.join(', ')}`);
  if ((spec.rule === 'name' || spec.rule === 'description') && URL_PREFIX.test(value)) throw illegalParam(name, 'must not begin with http:// or https://');
  if (spec.rule === 'description' && !STARTS_WITH_LETTER.test(value)) throw illegalParam(name, 'must begin with a letter');
  if (spec.rule === 'ascii' && !ASCII.test(value)) throw illegalParam(name, 'must be printable ASCII');
  return value;
}

function checkTags(name: string, value: unknown): Tag[] {
  if (!Array.isArray(value)) throw illegalParam(name, `expected a list of {Key, Value}, got ${describe(value)}`);
  if (value.length > MAX_TAGS) throw illegalParam(name, `at most ${MAX_TAGS} tags`);
  const seen = new Set<string>();
  return value.map((tag: unknown, i) => {
    if (!isPlainObject(tag)) throw illegalParam(`${name}.${i + 1}`, 'expected {Key, Value}');
    for (const key of Object.keys(tag)) if (key !== 'Key' && key !== 'Value') throw illegalParam(`${name}.${i + 1}`, `unknown field ${JSON.stringify(key)}`);
    const key = checkString(`${name}.${i + 1}.Key`, { type: 'string', minLength: 1, maxLength: 64, rule: 'name' }, tag.Key);
    if (/^(aliyun|acs:)/i.test(key)) throw illegalParam(`${name}.${i + 1}.Key`, 'must not begin with aliyun or acs:');
    if (seen.has(key)) throw apiError('DuplicatedParam.TagKey', key);
    seen.add(key);
    if (tag.Value === undefined) return { Key: key };
    return { Key: key, Value: checkString(`${name}.${i + 1}.Value`, { type: 'string', maxLength: 128, rule: 'name' }, tag.Value) };
  });
}

function checkValue(name: string, spec: ParamSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'string':
      return checkString(name, spec, value);
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw illegalParam(name, `expected an integer, got ${describe(value)}`);
      if (value < spec.min || value > spec.max) throw illegalParam(name, `must be between ${spec.min} and ${spec.max}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw illegalParam(name, `expected true or false, got ${describe(value)}`);
      return value;
    case 'list':
      if (!Array.isArray(value)) throw illegalParam(name, `expected a list, got ${describe(value)}`);
      if (value.length > spec.maxItems) throw illegalParam(name, `at most ${spec.maxItems} items`);
      return value.map((item, i) => checkString(`${name}.${i + 1}`, spec.item, item));
    case 'tags':
      return checkTags(name, value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ENTRIES = new WeakMap<ParamSpecs, Array<[string, ParamSpec]>>();
function entriesOf(specs: ParamSpecs): Array<[string, ParamSpec]> {
  let entries = ENTRIES.get(specs);
  if (!entries) ENTRIES.set(specs, (entries = Object.entries(specs)));
  return entries;
}

/**
 * Validates a request against its specs and returns a fresh object holding only declared
 * parameters (so nothing from the caller's object, prototype or getters leaks into state).
 */
export function validateParams<P extends ParamSpecs>(action: string, specs: P, input: unknown): ParamsOf<P> {
  if (input === undefined) input = {};
  if (!isPlainObject(input)) throw new IpamApiError('InvalidParameter', 400, `The request of ${action} must be an object of parameters.`);
  // for…in, not Object.keys: no array per call (a plain object has no inherited enumerable keys)
  for (const key in input) {
    if (!Object.hasOwn(specs, key)) throw apiError('InvalidParameter', `${action} takes no parameter ${JSON.stringify(key.length > 64 ? key.slice(0, 64) + '…' : key)}.`);
  }
  // A plain object (Object.create(null) would be a slow dictionary): only spec-declared names are
  // ever assigned, and no spec declares __proto__, so nothing from the caller reaches a prototype.
  const out: Record<string, unknown> = {};
  for (const [name, spec] of entriesOf(specs)) {
    const value = input[name];
    if (value === undefined) {
      if (spec.required) throw missingParam(name);
      continue;
    }
    out[name] = checkValue(name, spec, value);
  }
  return out as ParamsOf<P>;
}
