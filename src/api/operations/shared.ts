import { AddressParseError, formatCidr, parseCidr } from '../../cidr/index.js';
import { pageOf, type Collection, type Page, type Sequenced } from '../collection.js';
import type { Context } from '../context.js';
import type { AddressSpace } from '../../engine/index.js';
import type { ScopeRecord } from '../model.js';
import { DEFAULT_MAX_RESULTS, type Tag } from '../params.js';

type ScopeSpaces = ScopeRecord['spaces'];

type ListEnvelope<K extends string, Item> = { [P in K]: Item[] } & { NextToken?: string; MaxResults: number; Count: number; TotalCount: number };

/** Matches counted by the last filtered page of each collection: paging on costs no recount while nothing changes. */
const counted = new WeakMap<Collection<Sequenced>, { request: string; changes: number; total: number }>();

/**
 * One page of a collection in the list envelope every List* operation answers with (spec §3).
 * No collection (an unknown pool) gives an empty page, as the spec says. With a filter, the
 * matches are counted over the collection (TotalCount) on the first page, and again only after
 * a change; `named`: the records a request names by ID (undefined for an unknown one), when it
 * names some, are the only candidates, so such a page is no scan at all.
 */
export function listOf<T extends Sequenced, K extends string, Item>(
  ctx: Context,
  key: K,
  collection: Collection<T> | undefined,
  p: { MaxResults?: number; NextToken?: string },
  filter: ((record: T) => boolean) | undefined,
  item: (record: T) => Item,
  list: string = key,
  named?: ReadonlyArray<T | undefined>,
): ListEnvelope<K, Item> {
  const maxResults = p.MaxResults ?? DEFAULT_MAX_RESULTS;
  let page: Page<T>;
  if (!collection) {
    page = { items: [], nextToken: undefined, totalCount: 0 };
  } else if (named) {
    const matches = [...new Set(named)].filter((r): r is T => r !== undefined && (!filter || filter(r))).sort((a, b) => a.seq - b.seq);
    page = pageOf(matches, maxResults, p.NextToken, list);
  } else if (!filter) {
    page = collection.page(maxResults, p.NextToken, undefined, list);
  } else {
    const { MaxResults: _m, NextToken: _t, ...filters } = p;
    const request = `${list} ${JSON.stringify(filters)}`;
    const last = counted.get(collection);
    const known = last && last.request === request && last.changes === ctx.store.changes ? last.total : undefined;
    page = collection.page(maxResults, p.NextToken, filter, list, known);
    counted.set(collection, { request, changes: ctx.store.changes, total: page.totalCount });
  }
  const out = { [key]: page.items.map(item), MaxResults: maxResults, Count: page.items.length, TotalCount: page.totalCount } as ListEnvelope<K, Item>;
  if (page.nextToken !== undefined) out.NextToken = page.nextToken;
  return out;
}

/**
 * A Cidr filter as records hold their CIDRs (RFC 5952 for IPv6), so every text that names a block
 * finds it, upper case and zero groups alike (as DeleteIpamPoolCidr takes them); a text that
 * names no block is kept as it is and matches nothing.
 */
export function cidrFilter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return formatCidr(parseCidr(text));
  } catch (error) {
    if (error instanceof AddressParseError) return text;
    throw error;
  }
}

/** A resource matches a Tags filter when it carries every listed key (and value, when given). */
export function hasTags(resourceTags: readonly Tag[], wanted: readonly Tag[] | undefined): boolean {
  if (!wanted) return true;
  return wanted.every((w) => resourceTags.some((t) => t.Key === w.Key && (w.Value === undefined || t.Value === w.Value)));
}

/** T with each field that may be undefined made an optional key: absent, never present as `undefined`. */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** Copies the fields that are set, so responses never carry `undefined` (a plain loop: list items use it). */
export function defined<T extends object>(record: T): Defined<T> {
  const out: Partial<T> = {};
  for (const key in record) {
    const value = record[key];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as Defined<T>;
}

/**
 * The two overlap spaces of each of `count` scopes, all or nothing: when the engine runs out of
 * memory part-way, what was made is destroyed before the error goes on (callers make these
 * before they draw an ID or record anything, so a refused call changes nothing).
 */
export function newScopeSpaces(ctx: Context, count: 1): [ScopeSpaces];
export function newScopeSpaces(ctx: Context, count: 2): [ScopeSpaces, ScopeSpaces];
export function newScopeSpaces(ctx: Context, count: number): ScopeSpaces[] {
  const made: AddressSpace[] = [];
  const space = (family: 4 | 6) => {
    const s = ctx.engine.createSpace(family);
    made.push(s);
    s.addSource(family === 4 ? '0.0.0.0/0' : '::/0');
    return s;
  };
  try {
    return Array.from({ length: count }, () => ({ IPv4: space(4), IPv6: space(6) }));
  } catch (error) {
    for (const s of made) s.destroy();
    throw error;
  }
}

/** Records a new scope over spaces from newScopeSpaces. */
export function newScope(
  ctx: Context, fields: Omit<ScopeRecord, 'seq' | 'spaces' | 'pools' | 'CreateTime'>, spaces: ScopeSpaces, restored?: { seq: number; CreateTime: string },
): ScopeRecord {
  const scope: ScopeRecord = {
    ...fields, seq: restored?.seq ?? ctx.store.nextSeq(), CreateTime: restored?.CreateTime ?? ctx.now(), spaces, pools: new Set(),
  };
  ctx.store.scopes.add(scope.IpamScopeId, scope);
  return scope;
}

export function dropScope(ctx: Context, scope: ScopeRecord): void {
  scope.spaces.IPv4.destroy();
  scope.spaces.IPv6.destroy();
  ctx.store.scopes.delete(scope.IpamScopeId);
}
