export { AddressParseError, FAMILY_BITS, formatAddress, parseAddress, type IpAddress, type IpFamily } from './address.js';
export { cidrContains, cidrLast, cidrOverlaps, cidrSize, formatCidr, formatCidrV4, formatCidrV6, parseCidr, toCidr, type Cidr } from './cidr.js';
