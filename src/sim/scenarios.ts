/** Scenarios that ship with the package: `wasm-ipam simulate --list` shows them. */
import { parseScenario, type Scenario } from './scenario.js';

const env = (name: string, chunk: number, weight: number, masks: Record<string, number>) => ({ name, chunk, workload: { weight, masks } });

const BUILT_IN: Record<string, unknown> = {
  'org-growth': {
    name: 'org-growth',
    description: 'An organisation pool per family (IPv4 10.0.0.0/8, IPv6 2001:db8::/32) → four regional sub-pools of different sizes ' +
      '(they take /12, /13 or /14 chunks; /35–/37 for IPv6) → prod/staging/dev sub-pools that take more room from their region when full. ' +
      'Demand grows early, with a burst at 40%: when does the /8 run out, and which strategy lasts longest?',
    seed: 20261126,
    events: 1_000_000,
    samples: 200,
    arrivals: { start: 0.75, end: 0.5 },
    bursts: [{ at: 0.4, length: 0.02, arrivalShare: 0.95 }],
    pools: [
      {
        name: 'org-v4', ipVersion: 'IPv4', cidrs: ['10.0.0.0/8'],
        // regions of different sizes take different chunks, so the /8 itself can fragment
        children: ([['cn-hangzhou', 12], ['cn-shanghai', 13], ['cn-beijing', 14], ['ap-southeast-1', 13]] as const).map(([region, chunk]) => ({
          name: `${region}-v4`, chunk,
          children: [
            env(`${region}-prod-v4`, 16, 5, { '22': 1, '24': 3, '26': 4, '27': 2, '28': 1 }),
            env(`${region}-staging-v4`, 18, 2, { '24': 1, '26': 3, '28': 2 }),
            env(`${region}-dev-v4`, 19, 2, { '26': 2, '27': 3, '28': 4 }),
          ],
        })),
      },
      {
        name: 'org-v6', ipVersion: 'IPv6', cidrs: ['2001:db8::/32'],
        children: ([['cn-hangzhou', 35], ['cn-shanghai', 36], ['cn-beijing', 36], ['ap-southeast-1', 37]] as const).map(([region, chunk]) => ({
          name: `${region}-v6`, chunk,
          children: [
            env(`${region}-prod-v6`, chunk + 3, 3, { '48': 6, '52': 3, '56': 1 }),
            env(`${region}-dev-v6`, chunk + 4, 1, { '52': 2, '56': 3, '60': 1 }),
          ],
        })),
      },
    ],
  },
  'vpc-churn': {
    name: 'vpc-churn',
    description: 'One IPv4 /16 handed out as /24–/28 subnets under heavy churn (as many releases as arrivals once full): which strategy fragments least?',
    seed: 7,
    events: 300_000,
    samples: 150,
    arrivals: { start: 0.7, end: 0.5 },
    bursts: [],
    pools: [{ name: 'vpc', ipVersion: 'IPv4', cidrs: ['172.16.0.0/16'], workload: { weight: 1, masks: { '24': 1, '25': 1, '26': 2, '27': 3, '28': 3 } } }],
  },
  'ipv6-vpcs': {
    name: 'ipv6-vpcs',
    description: 'An IPv6 /40 per region handing out /48 per VPC and /56 per subnet group, growing steadily: how many VPCs fit?',
    seed: 11,
    events: 400_000,
    samples: 150,
    arrivals: { start: 0.8, end: 0.6 },
    bursts: [{ at: 0.5, length: 0.05, arrivalShare: 1 }],
    pools: [{
      name: 'region-v6', ipVersion: 'IPv6', cidrs: ['2001:db8:100::/40'],
      children: [env('vpcs', 44, 3, { '48': 1 }), env('subnet-groups', 46, 1, { '52': 1, '56': 3 })],
    }],
  },
  'small-lab': {
    name: 'small-lab',
    description: 'A /20 lab network carved into /26–/30: a quick run to try options on.',
    seed: 3,
    events: 20_000,
    samples: 100,
    arrivals: { start: 0.56, end: 0.5 },
    bursts: [],
    pools: [{ name: 'lab', ipVersion: 'IPv4', cidrs: ['192.168.0.0/20'], workload: { weight: 1, masks: { '26': 1, '27': 2, '28': 3, '29': 3, '30': 2 } } }],
  },
};

export const DEFAULT_SCENARIO = 'org-growth';

export function builtInScenarioNames(): string[] {
  return Object.keys(BUILT_IN);
}

/** A built-in scenario by name (checked like any scenario file), or undefined. */
export function builtInScenario(name: string): Scenario | undefined {
  return Object.hasOwn(BUILT_IN, name) ? parseScenario(structuredClone(BUILT_IN[name])) : undefined;
}
