import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/sim/scenario.js';
import { builtInScenario, builtInScenarioNames, DEFAULT_SCENARIO } from '../../src/sim/scenarios.js';

const base = () => ({
  name: 't',
  events: 100,
  pools: [{ name: 'top', ipVersion: 'IPv4', cidrs: ['10.0.0.0/16'], children: [{ name: 'leaf', chunk: 20, workload: { weight: 1, masks: { '24': 1 } as Record<string, number> } }] }],
});

describe('scenarios', () => {
  it('ships checked built-in scenarios, the default big enough to matter', () => {
    expect(builtInScenarioNames()).toContain(DEFAULT_SCENARIO);
    for (const name of builtInScenarioNames()) expect(builtInScenario(name)!.name).toBe(name);
    const def = builtInScenario(DEFAULT_SCENARIO)!;
    expect(def.events).toBeGreaterThanOrEqual(1_000_000);
    expect(def.pools.map((p) => [p.ipVersion, p.cidrs])).toEqual([['IPv4', ['10.0.0.0/8']], ['IPv6', ['2001:db8::/32']]]);
    expect(def.strategies).toEqual(['first-fit', 'last-fit', 'best-fit', 'sparse', 'random']);
    expect(builtInScenario('__proto__')).toBeUndefined();
  });

  it('fills in defaults', () => {
    const s = parseScenario(base());
    expect(s).toMatchObject({ seed: 1, samples: 200, description: '', arrivals: { start: 0.6, end: 0.6 }, bursts: [] });
  });

  const broken: [string, (d: ReturnType<typeof base> & Record<string, unknown>) => unknown, RegExp][] = [
    ['not an object', () => [], /scenario: must be a JSON object/],
    ['an unknown key', (d) => ({ ...d, evnets: 5 }), /unknown key "evnets"/],
    ['no events', (d) => ({ ...d, events: undefined }), /scenario.events: must be a number/],
    ['fractional events', (d) => ({ ...d, events: 1.5 }), /scenario.events: must be a whole number/],
    ['an unknown strategy', (d) => ({ ...d, strategies: ['first-fit', 'worst-fit'] }), /unknown strategy "worst-fit"/],
    ['a strategy twice', (d) => ({ ...d, strategies: ['sparse', 'sparse'] }), /lists a strategy twice/],
    ['arrival share above 1', (d) => ({ ...d, arrivals: { start: 1.5, end: 0.5 } }), /scenario.arrivals.start: must be a number from 0 to 1/],
    ['a top-level pool without family', (d) => { delete (d.pools[0] as Record<string, unknown>).ipVersion; return d; }, /ipVersion: a top-level pool needs/],
    ['a bad CIDR', (d) => { d.pools[0]!.cidrs = ['10.0.0.1/16']; return d; }, /cidrs\[0\]: .*host bits|cidrs\[0\]/],
    ['an IPv6 CIDR in an IPv4 pool', (d) => { d.pools[0]!.cidrs = ['2001:db8::/32']; return d; }, /is not IPv4/],
    ['a chunk wider than the parent', (d) => { d.pools[0]!.children[0]!.chunk = 8; return d; }, /chunk: must be a number from 16 to 32/],
    ['a mask wider than the leaf', (d) => { d.pools[0]!.children[0]!.workload.masks = { '19': 1 }; return d; }, /"19" must be a prefix length from 20 to 32/],
    ['a leaf without workload', (d) => { delete (d.pools[0]!.children[0] as Record<string, unknown>).workload; return d; }, /needs a workload/],
    ['children and a workload', (d) => ({ ...d, pools: [{ ...d.pools[0]!, workload: { weight: 1, masks: { '24': 1 } } }] }), /children or a workload, not both/],
    ['a name used twice', (d) => { d.pools[0]!.children[0]!.name = 'top'; return d; }, /"top" is used twice/],
    ['overlapping CIDRs in a pool', (d) => { d.pools[0]!.cidrs = ['10.0.0.0/16', '10.0.1.0/24']; return d; }, /10\.0\.1\.0\/24 overlaps 10\.0\.0\.0\/16, provisioned already/],
    ['top-level pools that overlap', (d) => ({ ...d, pools: [d.pools[0]!, { name: 'other', ipVersion: 'IPv4', cidrs: ['10.0.128.0/17'], workload: { weight: 1, masks: { '24': 1 } } }] }), /pools\[1\]\.cidrs\[0\]: 10\.0\.128\.0\/17 overlaps/],
    ['an excluded range', (d) => { d.pools[0]!.cidrs = ['127.0.0.0/16']; return d; }, /overlaps the excluded range 127\.0\.0\.0\/8/],
    ['a pool name the API refuses', (d) => { d.pools[0]!.name = 'https://corp'; return d; }, /pools\[0\]\.name: .*http/],
    ['every leaf at weight 0', (d) => { d.pools[0]!.children[0]!.workload.weight = 0; return d; }, /every leaf has weight 0/],
    ['all mask weights zero', (d) => { d.pools[0]!.children[0]!.workload.masks = { '24': 0 }; return d; }, /all weights are 0/],
  ];
  it.each(broken)('refuses %s with a precise message', (_, mutate, message) => {
    const doc = mutate(base() as never);
    expect(() => parseScenario(doc)).toThrow(ScenarioError);
    expect(() => parseScenario(doc)).toThrow(message);
  });
});
