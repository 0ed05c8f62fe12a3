/**
 * A corpus of malformed requests, most of it generated from the operation table itself: every
 * required parameter missing, every parameter of the wrong type, unknown keys (including
 * __proto__ and constructor), then hand-written bad CIDRs, masks, names, values and actions.
 * Each gets its documented error and leaves the exported state byte-for-byte unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, type Action } from '../../src/index.js';
import type { ParamSpec } from '../../src/api/params.js';
import { digest, fixture, OTHER, R, refuses, type Fixture } from './fixture.js';

type Case = [label: string, action: string, params: unknown, code: string, status?: number];

function validValue(spec: ParamSpec): unknown {
  switch (spec.type) {
    case 'string': return spec.oneOf ? spec.oneOf[0] : 'x'.repeat(Math.max(1, spec.minLength ?? 1));
    case 'integer': return spec.min;
    case 'boolean': return false;
    case 'list': return [];
    case 'tags': return [];
  }
}

function wrongValue(spec: ParamSpec): unknown {
  switch (spec.type) {
    case 'string': return 42;
    case 'integer': return '24';
    case 'boolean': return 'true';
    case 'list': return 'cn-hangzhou';
    case 'tags': return { Key: 'k' };
  }
}

function baseRequest(params: Readonly<Record<string, ParamSpec>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, s]) => s.required).map(([k, s]) => [k, validValue(s)]));
}

const generated: Case[] = OPERATIONS.flatMap((op) => {
  const base = baseRequest(op.params);
  const cases: Case[] = [];
  for (const [name, spec] of Object.entries(op.params)) {
    if (spec.required) {
      const { [name]: _dropped, ...rest } = base;
      cases.push([`${op.action} without ${name}`, op.action, rest, `MissingParam.${name}`]);
    }
    cases.push([`${op.action} with ${name} of the wrong type`, op.action, { ...base, [name]: wrongValue(spec) }, `IllegalParam.${name}`]);
    if (spec.type === 'integer') cases.push([`${op.action} with a fractional ${name}`, op.action, { ...base, [name]: 1.5 }, `IllegalParam.${name}`]);
    if (spec.type === 'string' && spec.maxLength !== undefined) {
      cases.push([`${op.action} with a huge ${name}`, op.action, { ...base, [name]: 'a'.repeat(1 << 20) }, `IllegalParam.${name}`]);
    }
  }
  cases.push([`${op.action} with an unknown parameter`, op.action, { ...base, Bogus: 'x' }, 'InvalidParameter']);
  cases.push([`${op.action} with a __proto__ key`, op.action, { ...JSON.parse('{"__proto__": {"RegionId": "x"}}'), ...base }, 'InvalidParameter']);
  cases.push([`${op.action} with a constructor key`, op.action, { ...base, constructor: 'Object' }, 'InvalidParameter']);
  cases.push([`${op.action} with null parameters`, op.action, null, 'InvalidParameter']);
  cases.push([`${op.action} with a list of parameters`, op.action, [base], 'InvalidParameter']);
  return cases;
});

const BAD_CIDRS = [
  '10.0.0.1/24', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/', '10.0.0.0/-8', '010.0.0.0/8', '10.0.0/24', '256.0.0.0/8',
  ' 10.1.0.0/16', '10.1.0.0/16 ', '10.1.0.0 /16', '10.1.0.0/16\n', 'ten/8', '', '/', '10.1.0.0/16/16', '10.1.0.0/016',
  '2001:db8::/32', 'fe80::1%eth0/128', '::/0', '__proto__', 'constructor', 'http://10.0.0.0/8', '10.1.0.0\\16',
];
const BAD_CIDRS_6 = [
  '2001:db8::1/64', '2001:db8:::/48', '2001:db8::/129', '1::2::3/64', '2001:db8::g/64', '10.0.0.0/8', '2001:db8/32',
  '::ffff:1.2.3.4.5/128', '2001:0db8a::/32', '[2001:db8::]/32', 'fe80::%1/64',
];

function handWritten(f: Fixture): Case[] {
  const alloc = (params: object): [string, unknown] => ['CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: f.pool, ...params }];
  const alloc6 = (params: object): [string, unknown] => ['CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: f.pool6, ...params }];
  const name = (n: unknown): [string, unknown] => ['UpdateIpamPool', { RegionId: R, IpamPoolId: f.pool, IpamPoolName: n }];
  const description = (d: unknown): [string, unknown] => ['UpdateIpamPool', { RegionId: R, IpamPoolId: f.pool, IpamPoolDescription: d }];
  return [
    ...BAD_CIDRS.map((c): Case => [`IPv4 allocation Cidr ${JSON.stringify(c)}`, ...alloc({ Cidr: c }), 'IllegalParam.Cidr']),
    ...BAD_CIDRS_6.map((c): Case => [`IPv6 allocation Cidr ${JSON.stringify(c)}`, ...alloc6({ Cidr: c }), 'IllegalParam.Cidr']),
    ...BAD_CIDRS.slice(0, 12).map((c): Case => [`provisioned Cidr ${JSON.stringify(c)}`, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: f.plainPool, Cidr: c }, 'IllegalParam.Cidr']),
    ...[-1, 129, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53].map((m): Case => [`CidrMask ${m}`, ...alloc({ CidrMask: m }), 'IllegalParam.CidrMask']),
    ...[33, 64, 128].map((m): Case => [`IPv4 CidrMask ${m}`, ...alloc({ CidrMask: m }), 'IllegalParam.CidrMask']),
    ...[0, 7, 29, 32].map((m): Case => [`CidrMask ${m} outside /8–/28`, ...alloc({ CidrMask: m }), 'OperationDenied.MaskOfCidrIsNotAllowed']),
    ['a name of 129 characters', ...name('n'.repeat(129)), 'IllegalParam.IpamPoolName'],
    ['a name of 129 emoji', ...name('🌐'.repeat(129)), 'IllegalParam.IpamPoolName'],
    ['an empty name', ...name(''), 'IllegalParam.IpamPoolName'],
    ['a name starting http://', ...name('http://pool'), 'IllegalParam.IpamPoolName'],
    ['a name starting HTTPS://', ...name('HTTPS://pool'), 'IllegalParam.IpamPoolName'],
    ['a description of 257 characters', ...description('d'.repeat(257)), 'IllegalParam.IpamPoolDescription'],
    ['a description starting with a space', ...description(' pool'), 'IllegalParam.IpamPoolDescription'],
    ['a description starting with https://', ...description('https://x'), 'IllegalParam.IpamPoolDescription'],
    ['an empty description', ...description(''), 'IllegalParam.IpamPoolDescription'],
    ['a name that is an object', ...name({ toString: 'x' }), 'IllegalParam.IpamPoolName'],
    ['RegionId __proto__', 'ListIpams', { RegionId: '__proto__' }, 'InvalidRegionId.NotFound', 404],
    ['RegionId constructor', 'ListIpamPools', { RegionId: 'constructor' }, 'InvalidRegionId.NotFound', 404],
    ['pool ID __proto__', 'DeleteIpamPool', { RegionId: R, IpamPoolId: '__proto__' }, 'ResourceNotFound.IpamPool', 404],
    ['pool ID constructor', 'CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: 'constructor', CidrMask: 24 }, 'ResourceNotFound.IpamPool', 404],
    ['allocation ID toString', 'GetIpamPoolAllocation', { RegionId: R, IpamPoolAllocationId: 'toString' }, 'ResourceNotFound.IpamPoolAllocation'],
    ['scope ID hasOwnProperty', 'DeleteIpamScope', { RegionId: R, IpamScopeId: 'hasOwnProperty' }, 'ResourceNotFound.IpamScope', 404],
    ['a ClientToken with non-ASCII', ...alloc({ CidrMask: 24, ClientToken: 'tök' }), 'IllegalParam.ClientToken'],
    ['a ClientToken of 65 characters', ...alloc({ CidrMask: 24, ClientToken: 't'.repeat(65) }), 'IllegalParam.ClientToken'],
    ['21 tags', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}` })) }, 'IllegalParam.Tag'],
    ['a tag without a key', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: [{ Value: 'v' }] }, 'IllegalParam.Tag.1.Key'],
    ['a tag key of 65 characters', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: [{ Key: 'k'.repeat(65) }] }, 'IllegalParam.Tag.1.Key'],
    ['a tag value of 129 characters', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: [{ Key: 'k', Value: 'v'.repeat(129) }] }, 'IllegalParam.Tag.1.Value'],
    ['a tag with an extra field', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: [{ Key: 'k', Colour: 'red' }] }, 'IllegalParam.Tag.1'],
    ['a tag that is a string', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: ['k=v'] }, 'IllegalParam.Tag.1'],
    ['a tag key starting aliyun', 'CreateIpamScope', { RegionId: R, IpamId: f.IpamId, Tag: [{ Key: 'aliyun-x' }] }, 'IllegalParam.Tag.1.Key'],
    ['21 allocation IDs', 'ListIpamPoolAllocations', { RegionId: R, IpamPoolId: f.pool, IpamPoolAllocationIds: Array.from({ length: 21 }, (_, i) => `a${i}`) }, 'IllegalParam.IpamPoolAllocationIds'],
    ['an allocation ID list with a number', 'ListIpamPoolAllocations', { RegionId: R, IpamPoolId: f.pool, IpamPoolAllocationIds: ['a', 7] }, 'IllegalParam.IpamPoolAllocationIds.2'],
    ['IpVersion IPv5', 'CreateIpamPool', { RegionId: R, IpamScopeId: f.privateScope, IpVersion: 'IPv5' }, 'IllegalParam.IpVersion'],
    ['IpVersion ipv4 (case)', 'CreateIpamPool', { RegionId: R, IpamScopeId: f.privateScope, IpVersion: 'ipv4' }, 'IllegalParam.IpVersion'],
    ['DryRun "true" as text', ...alloc({ CidrMask: 24, DryRun: 'true' }), 'IllegalParam.DryRun'],
    ['DryRun 1', ...alloc({ CidrMask: 24, DryRun: 1 }), 'IllegalParam.DryRun'],
    ['MaxResults 1000', 'ListIpams', { RegionId: R, MaxResults: 1000 }, 'IllegalParam.MaxResults'],
    ['NextToken forged', 'ListIpamPools', { RegionId: R, NextToken: 'nt-!!' }, 'IllegalParam.NextToken'],
    // a token's shape is a parameter check: made before the pool's lookup and its region's
    ['a malformed NextToken for an unknown pool', 'ListIpamPoolAllocations', { RegionId: R, IpamPoolId: 'ipam-pool-nope', NextToken: 'garbage' }, 'IllegalParam.NextToken'],
    ["a malformed NextToken for an unknown pool's CIDRs", 'ListIpamPoolCidrs', { RegionId: R, IpamPoolId: 'ipam-pool-nope', NextToken: 'garbage' }, 'IllegalParam.NextToken'],
    ['a malformed NextToken from the wrong region', 'ListIpamPoolAllocations', { RegionId: OTHER, IpamPoolId: f.pool, NextToken: 'garbage' }, 'IllegalParam.NextToken'],
    ...['', 'createIpam', 'CreateIpam ', 'CREATEIPAM', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'DescribeVpcs', 'x'.repeat(10_000)]
      .map((action): Case => [`action ${JSON.stringify(action.slice(0, 20))}`, action, { RegionId: R }, 'InvalidAction.NotFound', 404]),
    ['an action that is not a string', 42 as unknown as string, {}, 'InvalidAction.NotFound', 404],
  ];
}

describe('malformed requests get their documented error and change nothing', () => {
  let f: Fixture;
  let cases: Case[];
  beforeAll(async () => {
    f = await fixture();
    f.ipam.createIpamPoolAllocation({ RegionId: R, IpamPoolId: f.pool, CidrMask: 24 });
    cases = [...generated, ...handWritten(f)];
  });

  it('has at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('answers each with its code and status, state digest unchanged', () => {
    const before = digest(f.ipam);
    const failures: string[] = [];
    for (const [label, action, params, code, status = code === 'InvalidAction.NotFound' ? 404 : 400] of cases) {
      try {
        refuses(f.ipam, () => f.ipam.call(action as Action, params as never), code, status);
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
    expect(digest(f.ipam)).toBe(before);
  });
});

describe('a request with several problems', () => {
  /** The same key/value pairs in the given order and in reverse. */
  const bothOrders = (request: Record<string, unknown>) => [request, Object.fromEntries(Object.entries(request).reverse())];

  it('reports the first problem in table order, whatever the key order', async () => {
    const f = await fixture();
    const table: Array<[Record<string, unknown>, string]> = [
      [{ RegionId: R, IpamPoolId: f.pool, CidrMask: 'x', Bogus: 1 }, 'InvalidParameter'],
      [{ RegionId: R, IpamPoolId: f.pool, IpamPoolAllocationName: 5, CidrMask: 'x' }, 'IllegalParam.CidrMask'],
      [{ RegionId: R, CidrMask: 'x' }, 'MissingParam.IpamPoolId'],
      [{ RegionId: 5, CidrMask: 24 }, 'IllegalParam.RegionId'],
      [{ IpamPoolId: f.pool, ClientToken: 'tök', DryRun: 'yes' }, 'MissingParam.RegionId'],
      [{ RegionId: R, IpamPoolId: f.pool, DryRun: 'yes', ClientToken: 'tök' }, 'IllegalParam.DryRun'],
      [{ RegionId: R, IpamPoolId: undefined, CidrMask: 24 }, 'MissingParam.IpamPoolId'],
    ];
    for (const [request, code] of table) {
      for (const params of bothOrders(request)) refuses(f.ipam, () => f.ipam.call('CreateIpamPoolAllocation', params as never), code);
    }
  });

  it('treats an undefined optional parameter as absent', async () => {
    const f = await fixture();
    const a = f.ipam.call('CreateIpamPoolAllocation', { RegionId: R, IpamPoolId: f.pool, Cidr: undefined, CidrMask: 24, ClientToken: 'same' });
    const b = f.ipam.call('CreateIpamPoolAllocation', { ClientToken: 'same', CidrMask: 24, IpamPoolId: f.pool, RegionId: R });
    expect(b).toEqual(a); // one ClientToken, equal parameters
  });
});
