/**
 * The pool explorer page (web/index.html): the in-process IPAM API driven from forms, with the
 * selected pool's Hilbert map, utilisation and "how many /N still fit" redrawn after each change.
 * Browser only; everything it shows comes from API calls (GetIpamPoolUtilization, List…).
 */
import { Engine, IpamApiError, IpamService, STRATEGIES } from '../index.js';
import { escapeHtml as escape } from '../report/escape.js';
import { utilisationText } from '../report/figures.js';
import { decodePoolMapCells, rasterisePoolMap, smallestCommonBlock } from '../report/hilbert.js';
import { CELL_COLOURS, childColour, UNKNOWN_CELL_COLOUR } from '../report/palette.js';
import { CELL_ALLOCATED, CELL_CHILD, CELL_FREE, CELL_OUTSIDE, CELL_PARTLY } from '../report/summary.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const poolSelect = $<HTMLSelectElement>('pool-select');
const parentSelect = $<HTMLSelectElement>('pool-parent');
const MAP_SIDE = 128;

let ipam: IpamService;
let region = 'cn-hangzhou';
let scopeId: string | undefined;

function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  status.textContent = text;
  status.className = kind;
  status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

/** Runs an API step; an IpamApiError is shown with its code, anything else too (never swallowed). */
function act(label: string, step: () => string | void): void {
  try {
    const done = step();
    say(done ?? `${label}: done`);
  } catch (error) {
    if (error instanceof IpamApiError) say(`${label} refused — ${error.code} (HTTP ${error.httpStatus}): ${error.message}`, 'error');
    else say(`${label} failed: ${(error as Error).message}`, 'error');
  }
  refresh();
}

/** Releases the burst's allocations still live. */
function releaseAll(ids: readonly string[]): void {
  for (const id of ids) ipam.call('DeleteIpamPoolAllocation', { RegionId: region, IpamPoolAllocationId: id });
}

/** "/24" → 24, anything else → undefined (it is a CIDR then). */
const maskOf = (text: string) => (/^\/\d{1,3}$/.test(text.trim()) ? Number(text.trim().slice(1)) : undefined);

function pools() {
  return allPages((NextToken) => {
    const page = ipam.listIpamPools({ RegionId: region, MaxResults: 100, ...(NextToken ? { NextToken } : {}) });
    return { items: page.IpamPools, next: page.NextToken };
  });
}

function allPages<T>(fetch: (token: string | undefined) => { items: T[]; next: string | undefined }): T[] {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = fetch(token);
    out.push(...page.items);
    token = page.next || undefined;
  } while (token);
  return out;
}

function refresh(): void {
  if (!ipam) return;
  // without an IPAM (a file that has none) there are no pools: the lists empty out
  const list = scopeId ? pools() : [];
  const selected = poolSelect.value;
  const parent = parentSelect.value;
  // IDs come from imported files too: every value is escaped
  const options = list.map((p) => `<option value="${escape(p.IpamPoolId)}">${escape(p.IpamPoolName ?? p.IpamPoolId)} · ${p.IpVersion} · ${p.AllocationStrategy}</option>`).join('');
  poolSelect.innerHTML = options;
  parentSelect.innerHTML = '<option value="">— none: a top-level pool —</option>' + options;
  if (list.some((p) => p.IpamPoolId === selected)) poolSelect.value = selected;
  // a parent chosen for the next pool stays chosen while it exists (every action refreshes)
  if (list.some((p) => p.IpamPoolId === parent)) parentSelect.value = parent;
  showParentVersion(list);
  const shown = list.find((p) => p.IpamPoolId === poolSelect.value);
  if (shown) $<HTMLSelectElement>('alloc-strategy').value = shown.AllocationStrategy;
  drawPool(shown);
}

/** A sub-pool takes its parent's IP version: with a parent chosen, the version shows it and cannot be changed. */
function showParentVersion(list = scopeId ? pools() : []): void {
  const version = $<HTMLSelectElement>('pool-version');
  const parent = list.find((p) => p.IpamPoolId === parentSelect.value);
  if (parent) version.value = parent.IpVersion;
  version.disabled = parent !== undefined;
}

function drawPool(pool: ReturnType<typeof pools>[number] | undefined): void {
  const figures = $('figures');
  const fits = $('fits').querySelector('tbody')!;
  const rows = $('allocations').querySelector('tbody')!;
  const canvas = $<HTMLCanvasElement>('map');
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = CELL_COLOURS[CELL_OUTSIDE] ?? '#eee';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // nothing of the previously shown pool stays: its legend, its map's label, its count
  $('legend').innerHTML = '';
  canvas.setAttribute('aria-label', 'Address map of the selected pool');
  if (!pool) {
    figures.innerHTML = '<p class="muted">Create a pool to see it here.</p>';
    fits.innerHTML = rows.innerHTML = '';
    $('alloc-count').textContent = '';
    return;
  }
  const u = ipam.getIpamPoolUtilization({ RegionId: region, IpamPoolId: pool.IpamPoolId });
  const figure = (value: string, label: string) => `<div class="figure"><b>${escape(value)}</b><span>${label}</span></div>`;
  figures.innerHTML = [
    // as the report writes it, never contradicting the counts beside it (a /8 short of 512 addresses)
    figure(`${utilisationText(u.UtilizationPercent, { allocated: BigInt(u.AllocatedAddresses), free: BigInt(u.FreeAddresses) })} %`, 'utilisation'),
    figure(BigInt(u.FreeAddresses).toLocaleString('en-US'), 'free addresses'),
    figure(u.LargestAllocatableCidrMask === undefined ? 'none' : `/${u.LargestAllocatableCidrMask}`, 'largest allocatable block'),
    figure(u.FragmentationIndex.toFixed(3), 'fragmentation index'),
    figure(pool.Cidrs.join(', ') || 'none', 'CIDRs'),
  ].join('');
  // from the largest block that still fits down: the masks above it would all say 0
  const fitting = u.AllocatableCidrCounts.filter((c) => c.Count !== '0');
  fits.innerHTML = fitting.length === 0
    ? '<tr><td colspan="2">nothing fits</td></tr>'
    : fitting.map((c) => `<tr><td>/${c.CidrMask}</td><td>${BigInt(c.Count).toLocaleString('en-US')}</td></tr>`).join('');

  const allocations = allPages((NextToken) => {
    const page = ipam.listIpamPoolAllocations({ RegionId: region, IpamPoolId: pool.IpamPoolId, MaxResults: 100, ...(NextToken ? { NextToken } : {}) });
    return { items: page.IpamPoolAllocations, next: page.NextToken };
  });
  $('alloc-count').textContent = `(${allocations.length.toLocaleString('en-US')})`;
  rows.innerHTML = allocations.slice(0, 200).map((a) =>
    `<tr><td>${escape(a.Cidr)}</td><td>${a.ResourceType === 'IpamPool' ? `sub-pool ${escape(a.ResourceId)}` : 'custom'}</td>` +
    `<td>${a.ResourceType === 'Custom' ? `<button type="button" class="plain" data-release="${escape(a.IpamPoolAllocationId)}" aria-label="Release ${escape(a.Cidr)}">Release</button>` : ''}</td></tr>`).join('') +
    (allocations.length > 200 ? `<tr><td colspan="3" class="muted">showing the first 200 of ${allocations.length.toLocaleString('en-US')}</td></tr>` : '');

  if (pool.Cidrs.length === 0) return;
  const children = pools().filter((p) => p.SourceIpamPoolId === pool.IpamPoolId);
  const map = rasterisePoolMap({
    poolId: pool.IpamPoolId,
    span: smallestCommonBlock(pool.Cidrs),
    side: MAP_SIDE,
    provisioned: pool.Cidrs,
    allocated: allocations.filter((a) => a.ResourceType === 'Custom').map((a) => a.Cidr),
    children: children.map((c) => ({ name: c.IpamPoolName ?? c.IpamPoolId, blocks: allocations.filter((a) => a.ResourceId === c.IpamPoolId).map((a) => a.Cidr) })),
  });
  const cells = decodePoolMapCells(map);
  canvas.width = canvas.height = map.side;
  const image = ctx.createImageData(map.side, map.side);
  const rgb = (code: number) => {
    const hex = code >= CELL_CHILD ? childColour(code - CELL_CHILD) : CELL_COLOURS[code] ?? UNKNOWN_CELL_COLOUR;
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  };
  cells.forEach((code, i) => {
    const [r, g, b] = rgb(code);
    image.data.set([r!, g!, b!, 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
  canvas.setAttribute('aria-label', `Address map of ${map.span}: ${allocations.length} allocations`);
  $('legend').innerHTML = [[CELL_FREE, 'free'], [CELL_PARTLY, 'partly allocated'], [CELL_ALLOCATED, 'allocated'], [CELL_OUTSIDE, 'not in the pool']]
    .map(([code, label]) => `<span><i style="background:${CELL_COLOURS[code as number]}"></i>${label}</span>`)
    .concat(map.children.map((name, i) => `<span><i style="background:${childColour(i)}"></i>${escape(name)}</span>`))
    .join('');
}

function wire(): void {
  $('ipam-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('Create IPAM', () => {
      const chosen = $<HTMLSelectElement>('ipam-region').value;
      const created = ipam.createIpam({ RegionId: chosen, OperatingRegionList: [chosen] });
      region = chosen;
      scopeId = created.PrivateDefaultScopeId;
      $('ipam-id').textContent = `${created.IpamId} in ${chosen}; private scope ${scopeId}`;
      return `Created ${created.IpamId}`;
    });
  });
  $('pool-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('Create pool', () => {
      if (!scopeId) throw new Error('create an IPAM first');
      const parent = parentSelect.value;
      // the name is optional: an empty field sends none (the API refuses an empty one)
      const name = $<HTMLInputElement>('pool-name').value;
      const { IpamPoolId } = ipam.createIpamPool({
        RegionId: region,
        IpamScopeId: scopeId,
        ...(name ? { IpamPoolName: name } : {}),
        AllocationStrategy: $<HTMLSelectElement>('pool-strategy').value as keyof typeof STRATEGIES,
        ...(parent ? { SourceIpamPoolId: parent } : { IpVersion: $<HTMLSelectElement>('pool-version').value as 'IPv4' | 'IPv6' }),
      });
      refresh();
      poolSelect.value = IpamPoolId;
      return `Created pool ${IpamPoolId}`;
    });
  });
  $('cidr-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('Provision', () => {
      const text = $<HTMLInputElement>('cidr-value').value.trim();
      const mask = maskOf(text);
      const { Cidr } = ipam.addIpamPoolCidr({ RegionId: region, IpamPoolId: poolSelect.value, ...(mask === undefined ? { Cidr: text } : { NetmaskLength: mask }) });
      return `Provisioned ${Cidr}`;
    });
  });
  $('alloc-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('Allocate', () => {
      const text = $<HTMLInputElement>('alloc-value').value.trim();
      const mask = maskOf(text);
      const strategy = $<HTMLSelectElement>('alloc-strategy').value as keyof typeof STRATEGIES;
      const pool = pools().find((p) => p.IpamPoolId === poolSelect.value);
      const switchTo = mask !== undefined && pool && pool.AllocationStrategy !== strategy ? pool : undefined;
      if (switchTo) ipam.updateIpamPool({ RegionId: region, IpamPoolId: switchTo.IpamPoolId, AllocationStrategy: strategy });
      let a;
      try {
        a = ipam.createIpamPoolAllocation({ RegionId: region, IpamPoolId: poolSelect.value, ...(mask === undefined ? { Cidr: text } : { CidrMask: mask }) });
      } catch (error) {
        // a refused allocation leaves the pool as it was, strategy included
        if (switchTo) ipam.updateIpamPool({ RegionId: region, IpamPoolId: switchTo.IpamPoolId, AllocationStrategy: switchTo.AllocationStrategy });
        throw error;
      }
      return `Allocated ${a.Cidr} (${a.IpamPoolAllocationId}) from ${a.SourceCidr}`;
    });
  });
  $('allocations').addEventListener('click', (e) => {
    const id = (e.target as HTMLElement).dataset.release;
    if (!id) return;
    const row = Array.prototype.indexOf.call($('allocations').querySelectorAll('[data-release]'), e.target);
    act('Release', () => {
      ipam.deleteIpamPoolAllocation({ RegionId: region, IpamPoolAllocationId: id });
      return `Released ${id}`;
    });
    // the list was drawn again: focus goes to the button now in that row (or the last one), not to the page
    const buttons = $('allocations').querySelectorAll<HTMLElement>('[data-release]');
    (buttons[Math.min(row, buttons.length - 1)] ?? $('alloc-value')).focus();
  });
  $('burst-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('burst-result').textContent = ''; // a refused burst leaves no figure of the one before
    act('Burst', () => {
      const mask = maskOf($<HTMLInputElement>('burst-mask').value);
      if (mask === undefined) throw new Error('give a mask such as /26');
      const IpamPoolId = poolSelect.value;
      const ids: string[] = [];
      const started = performance.now();
      let refused = 0;
      let firstRefusal: unknown;
      for (let i = 0; i < 50_000; i++) {
        try {
          ids.push(ipam.call('CreateIpamPoolAllocation', { RegionId: region, IpamPoolId, CidrMask: mask }).IpamPoolAllocationId);
        } catch (error) {
          // only a full pool is an outcome of the burst; any other refusal is the form's, shown as such
          if (!(error instanceof IpamApiError) || error.code !== 'OperationDenied.AvailableCidrInsufficient') {
            releaseAll(ids);
            throw error;
          }
          refused++;
          firstRefusal ??= error;
        }
        if (ids.length > 0 && i % 2 === 1) ipam.call('DeleteIpamPoolAllocation', { RegionId: region, IpamPoolAllocationId: ids.pop()! });
      }
      releaseAll(ids);
      // nothing allocated at all is no burst: the pool had no room (or no CIDR) to begin with
      if (refused === 50_000) throw firstRefusal;
      const seconds = (performance.now() - started) / 1000;
      const operations = 100_000 - refused;
      const text = `${operations.toLocaleString('en-US')} operations in ${seconds.toFixed(2)} s: ${Math.round(operations / seconds).toLocaleString('en-US')} operations/s` +
        (refused ? ` (${refused.toLocaleString('en-US')} allocations refused: pool full)` : '');
      $('burst-result').textContent = text;
      return `Burst done — ${text}`;
    });
  });
  $('export').addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(ipam.exportState(), null, 2)], { type: 'application/json' });
    const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'wasm-ipam-state.json' });
    link.click();
    URL.revokeObjectURL(link.href);
    say('Exported the state as wasm-ipam-state.json');
  });
  $<HTMLInputElement>('import').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = ''; // so picking the same file again (to go back to it) fires 'change' again
    $('burst-result').textContent = '';
    try {
      const doc = JSON.parse(await file.text()) as { ipams?: { RegionId?: string; PrivateDefaultScopeId?: string }[] };
      // a fresh engine instance: the old state's memory goes with the old instance
      ipam = await IpamService.restore(doc, { engine: await Engine.load(ipam.engine.module) });
      // the IPAM made last, as the page showed when it exported: making one moves the page to it
      const shown = doc.ipams?.at(-1);
      region = shown?.RegionId ?? region;
      scopeId = shown?.PrivateDefaultScopeId;
      $('ipam-id').textContent = scopeId ? `restored; private scope ${scopeId}` : 'restored (no IPAM in the file)';
      say(`Imported ${file.name}`);
    } catch (error) {
      say(`Import refused: ${(error as Error).message}`, 'error');
    }
    refresh();
  });
  poolSelect.addEventListener('change', refresh);
  parentSelect.addEventListener('change', () => showParentVersion());
}

async function start(): Promise<void> {
  ipam = await IpamService.create();
  $('ipam-region').innerHTML = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'eu-central-1', 'us-west-1']
    .map((r) => `<option>${r}</option>`).join('');
  const strategyOptions = Object.keys(STRATEGIES).map((s) => `<option>${s}</option>`).join('');
  $('pool-strategy').innerHTML = strategyOptions;
  $('alloc-strategy').innerHTML = strategyOptions;
  wire();
  say('Engine loaded. Create an IPAM, then a pool, provision a CIDR and allocate.');
  refresh();
}

start().catch((error: Error) => say(`Could not start: ${error.message}`, 'error'));
