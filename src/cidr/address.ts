/**
 * Strict IP address text codec (in the spirit of Go's net/netip): addresses are plain
 * values, parsing never guesses, and every rejection says why.
 *
 * Decisions:
 * - IPv4: exactly four decimal parts 0..255, no leading zeros ("010" could mean octal).
 * - IPv6: RFC 4291 text; groups of 1..4 hex digits (leading zeros inside a group are
 *   unambiguous and accepted), at most one "::", an optional dotted IPv4 tail.
 *   Output is RFC 5952: lower case, no leading zeros, the longest run of two or more zero
 *   groups compressed (the first on ties).
 * - IPv4-mapped IPv6 (::ffff:a.b.c.d) stays an IPv6 address: it is never silently turned
 *   into IPv4, since pools are single-family. It is printed in the mixed form RFC 5952 §5
 *   recommends (::ffff:192.0.2.1).
 * - Zone IDs ("fe80::1%eth0"), whitespace, and empty parts are rejected.
 */

export type IpFamily = 4 | 6;

export const FAMILY_BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export class AddressParseError extends Error {
  readonly input: string;
  readonly reason: string;
  constructor(input: string, reason: string) {
    super(`invalid address or CIDR ${JSON.stringify(input.length > 80 ? input.slice(0, 80) + '…' : input)}: ${reason}`);
    this.name = 'AddressParseError';
    this.input = input;
    this.reason = reason;
  }
}

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  readonly value: bigint;
}

const DECIMAL = /^[0-9]+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4Value(text: string, whole: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressParseError(whole, `an IPv4 address has 4 dot-separated parts, found ${parts.length}`);
  let value = 0;
  for (const part of parts) {
    if (part === '') throw new AddressParseError(whole, 'empty part in IPv4 address');
    if (!DECIMAL.test(part)) throw new AddressParseError(whole, `IPv4 part ${JSON.stringify(part)} is not a decimal number`);
    if (part.length > 1 && part[0] === '0') throw new AddressParseError(whole, `IPv4 part ${JSON.stringify(part)} has a leading zero`);
    if (part.length > 3 || Number(part) > 255) throw new AddressParseError(whole, `IPv4 part ${part} is greater than 255`);
    value = value * 256 + Number(part);
  }
  return BigInt(value);
}

function ipv6Groups(text: string, whole: string, mayEndInIpv4: boolean): number[] {
  const groups: number[] = [];
  const pieces = text.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (mayEndInIpv4 && i === pieces.length - 1 && piece.includes('.')) {
      const v4 = Number(ipv4Value(piece, whole));
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (!HEX_GROUP.test(piece)) {
      throw new AddressParseError(whole, piece === '' ? 'empty group in IPv6 address' : `IPv6 group ${JSON.stringify(piece)} is not 1 to 4 hex digits`);
    } else {
      groups.push(parseInt(piece, 16));
    }
  }
  return groups;
}

function ipv6Value(text: string, whole: string): bigint {
  if (text.includes('%')) throw new AddressParseError(whole, 'zone IDs (%…) are not allowed');
  const halves = text.split('::');
  if (halves.length > 2) throw new AddressParseError(whole, '"::" may appear only once');
  let groups: number[];
  if (halves.length === 2) {
    const head = halves[0] === '' ? [] : ipv6Groups(halves[0]!, whole, false);
    const tail = halves[1] === '' ? [] : ipv6Groups(halves[1]!, whole, true);
    if (head.length + tail.length > 7) throw new AddressParseError(whole, '"::" must stand for at least one zero group');
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    groups = ipv6Groups(text, whole, true);
    if (groups.length !== 8) throw new AddressParseError(whole, `an IPv6 address has 8 groups, found ${groups.length}`);
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/** Parses an IPv4 or IPv6 address (no prefix). */
export function parseAddress(text: string, whole: string = text): IpAddress {
  if (typeof text !== 'string') throw new AddressParseError(String(text), 'not a string');
  if (text === '') throw new AddressParseError(whole, 'empty address');
  if (/\s/.test(text)) throw new AddressParseError(whole, 'whitespace is not allowed');
  if (text.includes(':')) return { family: 6, value: ipv6Value(text, whole) };
  if (text.includes('.')) return { family: 4, value: ipv4Value(text, whole) };
  throw new AddressParseError(whole, 'not an IPv4 or IPv6 address');
}

// Formatting tables: a CIDR is formatted for every allocation, so no toString or join per call.
const OCTET = Array.from({ length: 256 }, (_, n) => String(n));
const OCTET_DOT = OCTET.map((text) => `${text}.`);
const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16));
const HEX_PADDED = HEX.map((text) => text.padStart(2, '0'));
const groups = new Array<number>(8).fill(0); // formatIpv6's scratch (formatting never re-enters)

function hexGroup(group: number): string {
  return group < 256 ? HEX[group]! : HEX[group >>> 8]! + HEX_PADDED[group & 255]!;
}

/** An IPv4 address given as a u32. */
export function formatIpv4(value: number): string {
  return OCTET_DOT[value >>> 24]! + OCTET_DOT[(value >>> 16) & 255]! + OCTET_DOT[(value >>> 8) & 255]! + OCTET[value & 255]!;
}

/** An IPv6 address given as four u32 words, w0 the lowest (the engine's numeric form). */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  if (w3 === 0 && w2 === 0 && w1 === 0xffff) return `::ffff:${formatIpv4(w0)}`;
  groups[0] = w3 >>> 16; groups[1] = w3 & 0xffff; groups[2] = w2 >>> 16; groups[3] = w2 & 0xffff;
  groups[4] = w1 >>> 16; groups[5] = w1 & 0xffff; groups[6] = w0 >>> 16; groups[7] = w0 & 0xffff;
  // longest run of >= 2 zero groups, first on ties (RFC 5952 §4.2)
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; ) {
    if (i === bestStart) {
      text += '::';
      i += bestLength;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLength) text += ':';
    text += hexGroup(groups[i++]!);
  }
  return text;
}

const LOW_WORD = 0xffffffffn;

/** Whether n crosses into wasm as itself, a u32 (an engine status, negative, is not one; a bigint would throw at >>>). */
export const isU32 = (n: number) => typeof n === 'number' && n >>> 0 === n;

/** Whether `value` is an address of the family (a family other than 4 or 6 has none). */
export function isAddressOf(family: IpFamily, value: bigint): boolean {
  return (family === 4 || family === 6) && typeof value === 'bigint' && value >= 0n && value >> BigInt(family === 4 ? 32 : 128) === 0n;
}

/** The text of an address known to be one of the family (isAddressOf). */
export function addressText(family: IpFamily, value: bigint): string {
  if (family === 4) return formatIpv4(Number(value));
  return formatIpv6(Number(value & LOW_WORD), Number((value >> 32n) & LOW_WORD), Number((value >> 64n) & LOW_WORD), Number(value >> 96n));
}

export function formatAddress(family: IpFamily, value: bigint): string {
  // strict as formatCidr is: a value no address of the family has would print wrapped
  if (!isAddressOf(family, value)) throw new RangeError(`not an IPv${String(family)} address: ${String(value)}`);
  return addressText(family, value);
}
