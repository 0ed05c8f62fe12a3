export { AddressParseError, FAMILY_BITS, formatAddress, parseAddress, type IpAddress, type IpFamily } from './address.js';
export { cidrContains, cidrLast, cidrOverlaps, cidrSize, formatCidr, parseCidr, toCidr, type Cidr } from './cidr.js';
