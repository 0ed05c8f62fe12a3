/**
 * Alibaba RPC wire decoding, driven by the same parameter specs as the in-process API: flat
 * text pairs (`IpamPoolAllocationIds.1=…`, `Tag.1.Key=…`, `DryRun=true`) become the typed request
 * the operation table validates. Values that do not decode are passed on as text, so validation
 * reports them with the same IllegalParam.<Name> codes as in-process calls.
 */
import type { ParamSpecs } from '../api/params.js';

/** Signature and envelope parameters the client adds; not operation parameters (spec §1). */
export const COMMON_PARAMETERS = new Set([
  'Action', 'Version', 'Format', 'Timestamp', 'SignatureNonce', 'SignatureMethod', 'SignatureVersion',
  'SignatureType', 'Signature', 'AccessKeyId', 'SecurityToken', 'BearerToken', 'OwnerId', 'OwnerAccount',
  'ResourceOwnerId', 'ResourceOwnerAccount',
]);

const INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;
const INDEX = /^[1-9][0-9]{0,3}$/;

function decodeScalar(type: string, text: string): unknown {
  if (type === 'integer') return INTEGER.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * out[key] = value, but as an own property whatever the key: `__proto__` would go through
 * Object.prototype's setter and vanish, unseen by validation. (A prototype-less object would do
 * it too, at the cost of a slow dictionary-mode object on every request: 13% of the endpoint.)
 */
function setParam(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Decodes flat wire pairs into a request object for an operation with these specs. */
export function decodeWire(specs: ParamSpecs, pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lists = new Map<string, unknown[]>();
  for (const [key, value] of pairs) {
    if (COMMON_PARAMETERS.has(key)) continue;
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (spec && spec.type !== 'list' && spec.type !== 'tags') {
      setParam(out, key, decodeScalar(spec.type, value));
      continue;
    }
    const [name, index, field, ...rest] = key.split('.');
    const listSpec = name !== undefined && Object.hasOwn(specs, name) ? specs[name] : undefined;
    const position = index !== undefined && INDEX.test(index) ? Number(index) - 1 : -1;
    if (listSpec?.type === 'list' && position >= 0 && field === undefined) {
      const items = lists.get(name!) ?? [];
      items[position] = value;
      lists.set(name!, items);
    } else if (listSpec?.type === 'tags' && position >= 0 && (field === 'Key' || field === 'Value') && rest.length === 0) {
      const items = lists.get(name!) ?? [];
      const tag = (items[position] ?? {}) as Record<string, string>;
      tag[field] = value;
      items[position] = tag;
      lists.set(name!, items);
    } else {
      setParam(out, key, value); // not a parameter of this action: validation names it
    }
  }
  for (const [name, items] of lists) {
    // a list also given as plain text (Tags=x&Tags.1.Key=a) keeps the text, which validation refuses
    if (Object.hasOwn(out, name)) continue;
    // a gap (Tag.1 and Tag.3 without Tag.2) leaves a hole, which validation reports
    out[name] = Array.from(items, (item) => item ?? null);
  }
  return out;
}
