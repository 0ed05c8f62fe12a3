import { addressText, AddressParseError, FAMILY_BITS, formatIpv4, formatIpv6, isAddressOf, isU32, parseAddress, type IpFamily } from './address.js';

/** A CIDR block: an aligned network address and a prefix length. Immutable. */
export interface Cidr {
  readonly family: IpFamily;
  /** Network address as an unsigned integer (32 or 128 bits); no bits below the prefix. */
  readonly address: bigint;
  readonly prefixLength: number;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Parses "address/prefix" strictly: the prefix is required, decimal without leading zeros,
 * within 0..32 (IPv4) or 0..128 (IPv6), and the address must have no host bits set.
 */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') throw new AddressParseError(String(text), 'not a string');
  if (/\s/.test(text)) throw new AddressParseError(text, 'whitespace is not allowed');
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressParseError(text, 'missing "/prefix-length"');
  if (text.indexOf('/', slash + 1) >= 0) throw new AddressParseError(text, 'more than one "/"');
  const prefixText = text.slice(slash + 1);
  const { family, value } = parseAddress(text.slice(0, slash), text);
  if (!PREFIX.test(prefixText)) {
    throw new AddressParseError(text, prefixText === '' ? 'empty prefix length' : `prefix length ${JSON.stringify(prefixText)} is not a plain decimal number`);
  }
  const prefixLength = Number(prefixText);
  const bits = FAMILY_BITS[family];
  if (prefixLength > bits) throw new AddressParseError(text, `prefix length ${prefixLength} is greater than ${bits} for IPv${family}`);
  const cidr = { family, address: value, prefixLength };
  const network = networkOf(cidr);
  if (network !== value) {
    throw new AddressParseError(text, `host bits are set; the network is ${formatCidr({ family, address: network, prefixLength })}`);
  }
  return cidr;
}

function networkOf(cidr: Cidr): bigint {
  const hostBits = BigInt(FAMILY_BITS[cidr.family] - cidr.prefixLength);
  return (cidr.address >> hostBits) << hostBits;
}

const SLASH_PREFIX = Array.from({ length: 129 }, (_, n) => `/${n}`);

/**
 * Concatenation is the fastest way to build CIDR text, but V8 keeps a result of 13 or more
 * characters as a tree of its parts, about twice the memory of a flat string, and records keep
 * their CIDR text for life. Reading a character flattens the tree in place (the GC then drops it).
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

export function formatCidr(cidr: Cidr): string {
  const { family, address, prefixLength } = cidr;
  // strict both ways: a value parseCidr never makes would print as '/33', '::undefined' or a wrapped address
  if (!isAddressOf(family, address) || !(prefixLength <= FAMILY_BITS[family]) || SLASH_PREFIX[prefixLength] === undefined) {
    throw new RangeError(`not a CIDR: ${String(address)}/${String(prefixLength)} (IPv${String(family)})`);
  }
  return flat(addressText(family, address) + SLASH_PREFIX[prefixLength]!);
}

function notCidr(words: readonly number[], prefixLength: number): never {
  throw new RangeError(`not a CIDR: address words ${words.map(String).join(', ')}, /${String(prefixLength)} (each word must be a u32)`);
}

/** formatCidr for an IPv4 block given as a u32 address (the engine's numeric form). */
export function formatCidrV4(address: number, prefixLength: number): string {
  if (!isU32(address) || !(prefixLength <= 32) || SLASH_PREFIX[prefixLength] === undefined) notCidr([address], prefixLength);
  return flat(formatIpv4(address) + SLASH_PREFIX[prefixLength]!);
}

/** formatCidr for an IPv6 block given as four u32 words, w0 the lowest (the engine's numeric form). */
export function formatCidrV6(w0: number, w1: number, w2: number, w3: number, prefixLength: number): string {
  if (!(isU32(w0) && isU32(w1) && isU32(w2) && isU32(w3)) || SLASH_PREFIX[prefixLength] === undefined) notCidr([w0, w1, w2, w3], prefixLength);
  return flat(formatIpv6(w0, w1, w2, w3) + SLASH_PREFIX[prefixLength]!);
}

/** Number of addresses in the block. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.prefixLength);
}

/** Last address of the block. */
export function cidrLast(cidr: Cidr): bigint {
  return cidr.address + cidrSize(cidr) - 1n;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefixLength > inner.prefixLength) return false;
  const hostBits = BigInt(FAMILY_BITS[outer.family] - outer.prefixLength);
  return inner.address >> hostBits === outer.address >> hostBits;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.address <= cidrLast(b) && b.address <= cidrLast(a);
}

export function toCidr(block: Cidr | string): Cidr {
  return typeof block === 'string' ? parseCidr(block) : block;
}
