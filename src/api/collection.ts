/**
 * Records kept in creation order with stable paging: a NextToken names the sequence number of
 * the last record returned, so it stays valid while records are added or deleted, and a page
 * costs O(log n + page) when no filter narrows it.
 */
import { illegalParam } from './errors.js';

export interface Sequenced {
  readonly seq: number;
  /**
   * Where the collection holding the record keeps it, for records that have room for it
   * (allocations: a pool holds 100,000s and deletes them at random). The collection keeps it
   * current, so a delete needs no search; any other record is found by binary search.
   */
  slot?: number;
}

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
  totalCount: number;
}

export class Collection<T extends Sequenced> {
  /** By ID, when the collection is looked up by ID (a pool's allocations are found through the store instead). */
  readonly #byId: Map<string, T> | undefined;
  #ordered: Array<T | undefined> = []; // by seq; deleted records leave holes, compacted when sparse
  /** #ordered's seqs, holes included (a hole keeps its record's seq): sorted, so a binary search needs no probing. */
  #seqs: number[] = [];
  #holes = 0;

  constructor(indexed = true) {
    this.#byId = indexed ? new Map() : undefined;
  }

  get size(): number {
    return this.#ordered.length - this.#holes;
  }

  get(id: string): T | undefined {
    return this.#byId!.get(id);
  }

  has(id: string): boolean {
    return this.#byId!.has(id);
  }

  /** Adds a record; records normally arrive in seq order (a restore may not). */
  add(id: string, record: T): void {
    this.#byId?.set(id, record);
    const seqs = this.#seqs;
    if (seqs.length === 0 || seqs[seqs.length - 1]! < record.seq) {
      if (record.slot !== undefined) record.slot = seqs.length;
      this.#ordered.push(record);
      seqs.push(record.seq);
    } else {
      // out of order (a restore): the slots of the records after it go stale, and a stale slot
      // only costs a search
      const at = this.#indexOf(record.seq);
      if (record.slot !== undefined) record.slot = at;
      this.#ordered.splice(at, 0, record);
      seqs.splice(at, 0, record.seq);
    }
  }

  /** Removes a record (an unindexed collection needs the record itself). */
  delete(id: string, record: T | undefined = this.#byId?.get(id)): void {
    if (!record) return;
    this.#byId?.delete(id);
    const slot = record.slot;
    const at = slot !== undefined && this.#ordered[slot] === record ? slot : this.#indexOf(record.seq);
    if (this.#ordered[at] !== record) return; // not (or no longer) in this collection
    this.#ordered[at] = undefined;
    if (++this.#holes > 64 && this.#holes > this.#ordered.length / 2) {
      const ordered = this.#ordered.filter((r) => r !== undefined);
      for (let i = 0; i < ordered.length; i++) if (ordered[i]!.slot !== undefined) ordered[i]!.slot = i;
      this.#ordered = ordered;
      this.#seqs = ordered.map((r) => r.seq);
      this.#holes = 0;
    }
  }

  /** Records in creation order. */
  *values(): IterableIterator<T> {
    for (const record of this.#ordered) if (record !== undefined) yield record;
  }

  /** First index whose seq (a record's or a hole's) is >= the given one. */
  #indexOf(seq: number): number {
    const seqs = this.#seqs;
    let lo = 0, hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * One page of the records that pass `filter`, after the record named by nextToken.
   * `totalCount` is the number of matches (all records when there is no filter).
   */
  page(maxResults: number, nextToken: string | undefined, filter?: (record: T) => boolean, list = '', knownTotal?: number): Page<T> {
    const after = nextToken === undefined ? 0 : decodeToken(nextToken, list);
    const items: T[] = [];
    let i = this.#indexOf(after + 1);
    for (; i < this.#ordered.length && items.length < maxResults; i++) {
      const record = this.#ordered[i];
      if (record && (!filter || filter(record))) items.push(record);
    }
    let more = false;
    for (; i < this.#ordered.length && !more; i++) {
      const record = this.#ordered[i];
      more = record !== undefined && (!filter || filter(record));
    }
    let totalCount = knownTotal ?? this.size;
    if (filter && knownTotal === undefined) {
      totalCount = 0;
      for (const record of this.values()) if (filter(record)) totalCount++;
    }
    return { items, nextToken: more ? encodeToken(items[items.length - 1]!.seq, list) : undefined, totalCount };
  }
}

/**
 * One page of `records` (in seq order, no two alike) as Collection#page gives it for a filter
 * that passes exactly them: for the few records a request names by ID, found without a scan.
 */
export function pageOf<T extends Sequenced>(records: readonly T[], maxResults: number, nextToken: string | undefined, list: string): Page<T> {
  const after = nextToken === undefined ? 0 : decodeToken(nextToken, list);
  const rest = records.filter((record) => record.seq > after);
  const items = rest.slice(0, maxResults);
  return { items, nextToken: rest.length > maxResults ? encodeToken(items[items.length - 1]!.seq, list) : undefined, totalCount: records.length };
}

/** A token names its list (action and the resource it lists, e.g. the pool), so another list's is refused. */
function listTag(list: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < list.length; i++) hash = Math.imul(hash ^ list.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

function encodeToken(seq: number, list: string): string {
  return `nt-${seq.toString(36)}-${listTag(list)}`;
}

/** The shape of a token (checked with the parameters, before any lookup). */
export const TOKEN_SHAPE = /^nt-([0-9a-z]{1,11})-([0-9a-z]{1,7})$/;

function decodeToken(token: string, list: string): number {
  const match = TOKEN_SHAPE.exec(token);
  if (!match || match[2] !== listTag(list)) throw illegalParam('NextToken', 'not a token returned by this list');
  return parseInt(match[1]!, 36);
}
