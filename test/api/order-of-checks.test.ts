/**
 * README "Order of checks": parameters → resources → region rule → business rules. A pool with no
 * provisioned CIDR once answered every CreateIpamPoolAllocation and GetIpamPoolNextAvailableCidr
 * as full before looking at the parameters (spec §5.10, §5.15): bad ones now get their own codes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { IpamApiError, IpamService } from '../../src/index.js';

const R = 'cn-hangzhou';
const B = 'cn-beijing';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof IpamApiError) return `${e.httpStatus} ${e.code}`;
    throw e;
  }
  return 'no error';
}

let s: IpamService;
let ipam: { IpamId: string; PrivateDefaultScopeId: string; PublicDefaultScopeId: string };
beforeEach(async () => {
  s = await IpamService.create({ seed: 10 });
  ipam = s.createIpam({ RegionId: R, OperatingRegionList: [R, B] });
});

describe('CreateIpamPoolAllocation on a pool with no provisioned CIDR (spec §5.10; README "Order of checks")', () => {
  let pool: string;
  beforeEach(() => {
    pool = s.createIpamPool({ RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId }).IpamPoolId;
  });
  it('neither Cidr nor CidrMask is MissingParam.CidrOrCidrMask', () => {
    expect(codeOf(() => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool } as never))).toBe('400 MissingParam.CidrOrCidrMask');
  });
  it('an unparseable Cidr is IllegalParam.Cidr', () => {
    expect(codeOf(() => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, Cidr: 'garbage' }))).toBe('400 IllegalParam.Cidr');
  });
  it('a CidrMask outside 0..32 for IPv4 is IllegalParam.CidrMask', () => {
    expect(codeOf(() => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, CidrMask: 33 }))).toBe('400 IllegalParam.CidrMask');
  });
  it('Cidr and CidrMask together is IllegalParam.CidrMask (as on a provisioned pool)', () => {
    expect(codeOf(() => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/24', CidrMask: 24 }))).toBe('400 IllegalParam.CidrMask');
  });
  it('an explicit Cidr outside the (empty) provisioned space is CidrUnavailableInPool, as GetIpamPoolNextAvailableCidr says', () => {
    expect(codeOf(() => s.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: pool, CidrBlock: '10.0.0.0/24' }))).toBe('400 OperationDenied.CidrUnavailableInPool');
    expect(codeOf(() => s.createIpamPoolAllocation({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/24' }))).toBe('400 OperationDenied.CidrUnavailableInPool');
  });
});

describe('GetIpamPoolNextAvailableCidr on a pool with no provisioned CIDR (spec §5.15; README "Order of checks")', () => {
  let pool: string;
  beforeEach(() => {
    pool = s.createIpamPool({ RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId }).IpamPoolId;
  });
  it('a CidrMask outside 0..32 for IPv4 is IllegalParam.CidrMask', () => {
    expect(codeOf(() => s.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: pool, CidrMask: 33 }))).toBe('400 IllegalParam.CidrMask');
  });
  it('CidrBlock and CidrMask together is IllegalParam.CidrMask (as on a provisioned pool)', () => {
    expect(codeOf(() => s.getIpamPoolNextAvailableCidr({ RegionId: R, IpamPoolId: pool, CidrMask: 24, CidrBlock: '10.0.0.0/24' }))).toBe('400 IllegalParam.CidrMask');
  });
});
