import { expect } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { IpamApiError, IpamService } from '../../src/index.js';
import { engineSpacesOf } from '../../src/api/service.js';

let engine: Promise<Engine> | undefined;
export const R = 'cn-hangzhou';
export const OTHER = 'cn-beijing';
/** The fixture's services' time, which stands still (a copy restored on it holds their ClientTokens alike). */
export const clock = () => new Date('2026-11-26T00:00:00Z');

/** A service sharing one engine with the other tests of the file, seeded for repeatable IDs. */
export async function newService(seed = 1): Promise<IpamService> {
  engine ??= Engine.load();
  return IpamService.create({ engine: await engine, seed, clock });
}

export interface Fixture {
  ipam: IpamService;
  IpamId: string;
  privateScope: string;
  publicScope: string;
  /** IPv4 pool in cn-hangzhou with 10.0.0.0/8 provisioned, masks /8–/28. */
  pool: string;
  /** Sub-pool of `pool` with no CIDR yet. */
  child: string;
  /** IPv6 pool with 2001:db8::/32. */
  pool6: string;
  /** Region-less IPv4 pool with 192.168.0.0/16. */
  plainPool: string;
}

export async function fixture(): Promise<Fixture> {
  const ipam = await newService();
  const { IpamId, PrivateDefaultScopeId, PublicDefaultScopeId } = ipam.createIpam({ RegionId: R, OperatingRegionList: [R, OTHER] });
  const pool = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, PoolRegionId: R, AllocationMinCidrMask: 8, AllocationMaxCidrMask: 28 }).IpamPoolId;
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool, Cidr: '10.0.0.0/8' });
  const child = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, SourceIpamPoolId: pool }).IpamPoolId;
  const pool6 = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId, PoolRegionId: R, IpVersion: 'IPv6' }).IpamPoolId;
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: pool6, Cidr: '2001:db8::/32' });
  const plainPool = ipam.createIpamPool({ RegionId: R, IpamScopeId: PrivateDefaultScopeId }).IpamPoolId;
  ipam.addIpamPoolCidr({ RegionId: R, IpamPoolId: plainPool, Cidr: '192.168.0.0/16' });
  return { ipam, IpamId, privateScope: PrivateDefaultScopeId, publicScope: PublicDefaultScopeId, pool, child, pool6, plainPool };
}

/** The exported state and what the engine holds (a change to a space the records do not show counts too). */
export function digest(ipam: IpamService): string {
  return JSON.stringify([ipam.exportState(), engineSpacesOf(ipam)]);
}

/** Asserts the call fails with this code and status, with a RequestId, and changes nothing. */
export function refuses(ipam: IpamService, call: () => unknown, code: string, httpStatus = 400): IpamApiError {
  const before = digest(ipam);
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(IpamApiError);
  const error = caught as IpamApiError;
  expect({ code: error.code, httpStatus: error.httpStatus }).toEqual({ code, httpStatus });
  expect(error.requestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  expect(error.message.length).toBeGreaterThan(10);
  expect(digest(ipam)).toBe(before);
  return error;
}
