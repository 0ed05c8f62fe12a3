#!/usr/bin/env node
/**
 * wasm-ipam command line. The main job (the default) is the simulator: every allocation
 * strategy over a seeded workload, compared in a report. Also: a local API endpoint, and a
 * short demo of the engine.
 */
import { formatCidr, type Cidr } from './cidr/index.js';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Engine, EngineError, type AddressSpace } from './engine/index.js';
import { hostRegionProblem } from './api/service.js';
import { DurableStateError } from './server/durable.js';
import { serve } from './server/serve.js';
import { simulateCommand, SIMULATE_USAGE, wholeNumber } from './sim/command.js';
import { ScenarioError } from './sim/scenario.js';
import { SimulationError, SimulationInterrupted } from './sim/run.js';

const USAGE = `usage: ${SIMULATE_USAGE}
       wasm-ipam serve [--host 127.0.0.1] [--port 8787] [--data-dir ./.wasm-ipam] [--region cn-hangzhou] [--in-memory]
       wasm-ipam demo
       wasm-ipam --version

  simulate (default) replay a scenario's seeded allocations and releases once per strategy
          (first-fit, last-fit, best-fit, sparse, random) and write ./report/index.html
          and summary.json; --list shows the built-in scenarios
  demo    allocate, reserve, release and count in an IPv4 /8 and an IPv6 /32,
          then time a million allocate/release operations in the engine
  serve   a local Alibaba Cloud VPC IPAM endpoint (RPC wire, version 2023-02-28) for the vendor's
          client; state is journaled to --data-dir and survives restarts (--port 0: any free port)`;

const count = (n: bigint | number) => n.toLocaleString('en-US');

function attempt(label: string, fn: () => Cidr | void): void {
  try {
    const result = fn();
    console.log(`  ${label.padEnd(34)} → ${result ? formatCidr(result) : 'ok'}`);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    console.log(`  ${label.padEnd(34)} → refused ${error.code}: ${error.message}`);
  }
}

function showCapacity(space: AddressSpace, prefixLength: number): void {
  const c = space.capacity(prefixLength);
  const largest = c.largestFreePrefix === undefined ? 'none' : `/${c.largestFreePrefix}`;
  console.log(`  capacity: ${count(c.freeAddresses)} free addresses, largest free block ${largest}, ` +
    `${count(c.blocksThatFit)} more /${prefixLength} blocks fit, ${c.liveAllocations} live allocations`);
}

/** Allocate/release churn with masks /20–/28 on a /8 kept about half full, loop inside wasm. */
function timeChurn(engine: Engine): { nsPerOp: number; ops: number } {
  const space = engine.createSpace(4);
  space.addSource('10.0.0.0/8');
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const batch = 4096;
  const prefixes = new Uint8Array(batch);
  const addresses = new Uint32Array(batch);
  // fill to about half
  const live: Array<[number, number]> = [];
  while (space.capacity(8).freeAddresses > 1n << 23n) {
    for (let i = 0; i < batch; i++) prefixes[i] = 20 + Math.floor(random() * 9);
    const done = space.allocateMany(prefixes, addresses);
    for (let i = 0; i < done; i++) live.push([addresses[i]!, prefixes[i]!]);
  }
  const releasePrefixes = new Uint8Array(batch);
  const releaseAddresses = new Uint32Array(batch);
  const rounds = 122;
  const start = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < batch; i++) {
      const at = Math.floor(random() * live.length);
      const [address, prefix] = live[at]!;
      live[at] = live[live.length - 1]!;
      live.pop();
      releaseAddresses[i] = address;
      releasePrefixes[i] = prefix;
    }
    space.releaseMany(releasePrefixes, releaseAddresses);
    for (let i = 0; i < batch; i++) prefixes[i] = 20 + Math.floor(random() * 9);
    const done = space.allocateMany(prefixes, addresses);
    for (let i = 0; i < done; i++) live.push([addresses[i]!, prefixes[i]!]);
  }
  const ops = rounds * batch * 2;
  const nsPerOp = ((performance.now() - start) * 1e6) / ops;
  space.destroy();
  return { nsPerOp, ops };
}

async function demo(): Promise<void> {
  const engine = await Engine.load();
  console.log('wasm-ipam engine demo\n');

  const v4 = engine.createSpace(4);
  v4.addSource('10.0.0.0/8');
  console.log('IPv4 space with source 10.0.0.0/8');
  attempt('allocate /24 (first-fit)', () => v4.allocate(24));
  attempt('allocate /24 (first-fit)', () => v4.allocate(24));
  attempt('allocate /20 (first-fit)', () => v4.allocate(20));
  attempt('allocate /16 (last-fit)', () => v4.allocate(16, 'last-fit'));
  attempt('reserve 10.1.0.0/16', () => v4.reserve('10.1.0.0/16'));
  attempt('reserve 10.1.2.0/24', () => v4.reserve('10.1.2.0/24'));
  attempt('reserve 11.0.0.0/24', () => v4.reserve('11.0.0.0/24'));
  attempt('release 10.0.1.0/24', () => v4.release('10.0.1.0/24'));
  attempt('preview /24', () => v4.preview(24));
  attempt('remove source 10.0.0.0/8', () => v4.removeSource('10.0.0.0/8'));
  showCapacity(v4, 24);
  console.log(`  allocations: ${v4.allocations().map(formatCidr).join(', ')}\n`);

  const v6 = engine.createSpace(6);
  v6.addSource('2001:db8::/32');
  console.log('IPv6 space with source 2001:db8::/32');
  attempt('allocate /64 (first-fit)', () => v6.allocate(64));
  attempt('allocate /56 (first-fit)', () => v6.allocate(56));
  attempt('allocate /48 (last-fit)', () => v6.allocate(48, 'last-fit'));
  attempt('allocate /128 (first-fit)', () => v6.allocate(128));
  showCapacity(v6, 64);

  const { nsPerOp, ops } = timeChurn(engine);
  console.log(`\nSpeed: ${count(ops)} allocate/release operations (masks /20–/28, a /8 kept half full, batch calls): ` +
    `${nsPerOp.toFixed(1)} ns per operation.`);
  console.log(`Engine memory: ${(engine.memoryBytes / 2 ** 20).toFixed(1)} MiB, ${count(engine.nodesInUse)} tree nodes live.`);
}

async function main(args: string[]): Promise<number> {
  const [command = 'simulate'] = args;
  if (command === 'simulate') return simulateCommand(args.slice(1));
  if (command === '--version' || command === '-v') {
    // the installed package's own (dist/cli.js sits one level below package.json)
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(version);
    return 0;
  }
  // options with no command are the default command's: `wasm-ipam --list`, `npm start -- --events 1000000`
  if (command.startsWith('-') && command !== '-h' && command !== '--help') return simulateCommand(args);
  if (command === 'demo') {
    // takes no options: an unknown one is refused (exit 2), --help shows the usage
    const { values } = parseArgs({ args: args.slice(1), options: { help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    await demo();
    return 0;
  }
  if (command === 'serve') {
    const { values } = parseArgs({
      args: args.slice(1),
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8787' },
        'data-dir': { type: 'string', default: './.wasm-ipam' },
        region: { type: 'string', default: 'cn-hangzhou' },
        'in-memory': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const port = wholeNumber('port', values.port, 0, 65535)!;
    // an empty host would listen on every interface, and the endpoint checks no signature
    if (values.host === '') throw new ScenarioError('--host must name an address, got an empty value');
    const regionProblem = hostRegionProblem(values.region);
    if (regionProblem) throw new ScenarioError(`--region: ${regionProblem}`);
    await serve({ host: values.host, port, dataDir: values['data-dir'], region: values.region, inMemory: values['in-memory'] });
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  console.error(`wasm-ipam: unknown command ${JSON.stringify(command)}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof SimulationInterrupted) {
      console.error(`wasm-ipam: ${error.message}`);
      process.exitCode = error.signal === 'SIGINT' ? 130 : 143;
      return;
    }
    if (error instanceof ScenarioError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`wasm-ipam: ${(error as Error).message}`);
      process.exitCode = 2;
      return;
    }
    // a damaged or unwritable state directory, a run the engine could not carry (out of memory),
    // a port already taken or not allowed (serve), a file the user may not write: the user's to fix, and the message says what happened
    const told = error instanceof DurableStateError || error instanceof SimulationError || ['EADDRINUSE', 'EACCES', 'EPERM', 'EADDRNOTAVAIL', 'ENOTFOUND'].includes((error as { code?: string }).code ?? '');
    console.error(`wasm-ipam: ${told ? (error as Error).message : ((error as Error).stack ?? String(error))}`);
    process.exitCode = 1;
  },
);
