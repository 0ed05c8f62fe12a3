/**
 * The published declarations (dist/) type-check in a strict project of a consumer, with
 * skipLibCheck off: with the DOM lib, and in a Node-only project that does not load it (e.g.
 * @tsconfig/node20: lib es2023 + @types/node), where `BufferSource` and the `WebAssembly`
 * namespace are not declared; and on the older node10 resolution, which reads no "exports".
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// inside the package, so 'wasm-ipam' resolves to dist/ through package.json "exports" (self-reference)
const CONSUMER = path.join(ROOT, 'test/__node-consumer__.ts');
const SOURCE = `
import { IpamService, Engine, type WasmSource } from 'wasm-ipam';
import { createIpamServer } from 'wasm-ipam/server';
import { builtInScenario, simulateSerial } from 'wasm-ipam/simulator';
export async function main(): Promise<void> {
  const engine = await Engine.load();
  const ipam = await IpamService.create({ engine });
  const source: WasmSource = new Uint8Array(8);
  void source; void createIpamServer(ipam, { region: 'cn-hangzhou' });
  await simulateSerial(engine, builtInScenario('small-lab')!);
}
`;

function diagnostics(lib: string[], source = SOURCE): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: lib.map((l) => `lib.${l}.d.ts`),
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => f === CONSUMER || fileExists.call(host, f);
  host.readFile = (f) => (f === CONSUMER ? source : readFile.call(host, f));
  host.getSourceFile = (f, v, ...rest) => (f === CONSUMER ? ts.createSourceFile(f, source, v) : getSourceFile.call(host, f, v, ...rest));
  const program = ts.createProgram([CONSUMER], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) =>
    `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

it('control: the declarations type-check with the DOM lib', () => {
  expect(diagnostics(['es2022', 'dom'])).toEqual([]);
});

it('the declarations type-check in a Node-only project (lib es2022, @types/node, no DOM)', () => {
  expect(diagnostics(['es2022'])).toEqual([]);
});

it('call() checks the parameters of an action written out, and takes a run-time action string', () => {
  const source = `
import { IpamService } from 'wasm-ipam';
export function use(ipam: IpamService, fromTheWire: string): void {
  ipam.call('ListIpamPools', { RegionId: 'cn-hangzhou', MaxResults: 10 });
  ipam.call(fromTheWire, { anything: 1 });
  // @ts-expect-error: not a parameter of ListIpamPools
  ipam.call('ListIpamPools', { RegionId: 'cn-hangzhou', PoolCount: 10 });
  // @ts-expect-error: MaxResults is a number
  ipam.call('ListIpamPools', { RegionId: 'cn-hangzhou', MaxResults: '10' });
}
`;
  expect(diagnostics(['es2022'], source)).toEqual([]);
});

it('a list item\'s field that an item may lack is an optional key, as at run time (they were typed present, maybe undefined)', async () => {
  // items are built by defined(), which leaves out the fields that are not set
  const { IpamService } = await import('../src/index.js');
  const ipam = await IpamService.create({ seed: 4 });
  const { PrivateDefaultScopeId } = ipam.createIpam({ RegionId: 'cn-hangzhou', OperatingRegionList: ['cn-hangzhou'] });
  ipam.createIpamPool({ RegionId: 'cn-hangzhou', IpamScopeId: PrivateDefaultScopeId });
  const pool = ipam.listIpamPools({ RegionId: 'cn-hangzhou' }).IpamPools[0]!;
  for (const key of ['IpamPoolName', 'PoolRegionId', 'AllocationMinCidrMask', 'ResourceGroupId']) expect(Object.hasOwn(pool, key), key).toBe(false);
  expect(Object.hasOwn(ipam.listIpams({ RegionId: 'cn-hangzhou' }).Ipams[0]!, 'IpamName')).toBe(false);
  expect(Object.hasOwn(ipam.listIpamScopes({ RegionId: 'cn-hangzhou' }).IpamScopes[0]!, 'IpamScopeName')).toBe(false);
  const source = `
import type { ResponseOf } from 'wasm-ipam';
type Optional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;
type Pool = ResponseOf<'ListIpamPools'>['IpamPools'][number];
type Ipam = ResponseOf<'ListIpams'>['Ipams'][number];
type Scope = ResponseOf<'ListIpamScopes'>['IpamScopes'][number];
export const optional: [Optional<Pool, 'IpamPoolName'>, Optional<Pool, 'PoolRegionId'>, Optional<Pool, 'AllocationMinCidrMask'>,
  Optional<Ipam, 'IpamName'>, Optional<Scope, 'IpamScopeName'>] = [true, true, true, true, true];
// fields every item has stay required
export const required: [Optional<Pool, 'IpamPoolId'>, Optional<Pool, 'AllocationMaxCidrMask'>] = [false, false];
`;
  expect(diagnostics(['es2022'], source)).toEqual([]);
});

it('every named type in a public signature can be imported by name (Clock, IpVersion, PoolMapInput, CommittedCall could not)', () => {
  // IpamServiceOptions.clock, the pools' IpVersion in answers, rasterisePoolMap's input, ServerOptions.onCommitted's entry
  const source = `
import type { Clock, IpVersion } from 'wasm-ipam';
import type { PoolMapInput } from 'wasm-ipam/simulator';
import type { CommittedCall } from 'wasm-ipam/server';
export type Named = [Clock, IpVersion, PoolMapInput, CommittedCall];
`;
  expect(diagnostics(['es2022'], source)).toEqual([]);
});

it('a project on the older resolution (moduleResolution node10, CommonJS, no esModuleInterop) finds every entry\'s types', () => {
  // node10 reads no "exports": wasm-ipam/server and wasm-ipam/simulator were not found, and the
  // server's declarations imported node:http by default, which needs esModuleInterop
  const project = mkdtempSync(path.join(tmpdir(), 'wasm-ipam-node10-'));
  try {
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(ROOT, path.join(project, 'node_modules/wasm-ipam'), 'dir');
    const consumer = path.join(project, 'main.ts');
    writeFileSync(consumer, SOURCE);
    const program = ts.createProgram([consumer], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules/@types')],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
