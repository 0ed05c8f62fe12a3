import { apiError, illegalParam } from '../errors.js';
import type { IpamRecord } from '../model.js';
import { regionList } from './regions.js';
import { DESCRIPTION, FILTER_IDS, FILTER_TEXT, ID, MUTATION, NAME, PAGE, REGION, REGION_LIST, REQUIRED_ID, TAG_FILTER, TAGS } from '../params.js';
import { mutation, query } from '../operation.js';
import { defined, dropScope, hasTags, listOf, newScope, newScopeSpaces } from './shared.js';

export const createIpam = mutation('CreateIpam', {
  RegionId: REGION,
  OperatingRegionList: { ...REGION_LIST, required: true },
  IpamName: NAME,
  IpamDescription: DESCRIPTION,
  ResourceGroupId: ID,
  Tag: TAGS,
  ...MUTATION,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  const regions = regionList(ctx, p.OperatingRegionList, 'OperatingRegionList');
  if (!regions.includes(p.RegionId)) throw illegalParam('OperatingRegionList', `must include the hosted region ${p.RegionId}`);
  if (ctx.ipamHostedIn(p.RegionId)) throw apiError('OperationDenied.IpamExists', p.RegionId);
  return (RequestId) => {
    // the engine's part first, whole: only then are IDs drawn and records made
    const [privateSpaces, publicSpaces] = newScopeSpaces(ctx, 2);
    const IpamId = ctx.newId('ipam-');
    const scopeFields = { IpamId, RegionId: p.RegionId, IsDefault: true, Tags: [] };
    const privateScope = newScope(ctx, { ...scopeFields, IpamScopeId: ctx.newId('ipam-scope-'), IpamScopeType: 'private' }, privateSpaces);
    const publicScope = newScope(ctx, { ...scopeFields, IpamScopeId: ctx.newId('ipam-scope-'), IpamScopeType: 'public' }, publicSpaces);
    const ipam: IpamRecord = {
      seq: ctx.store.nextSeq(),
      IpamId,
      RegionId: p.RegionId,
      OperatingRegionList: regions,
      IpamName: p.IpamName,
      IpamDescription: p.IpamDescription,
      ResourceGroupId: p.ResourceGroupId,
      Tags: p.Tag ?? [],
      CreateTime: ctx.now(),
      PrivateDefaultScopeId: privateScope.IpamScopeId,
      PublicDefaultScopeId: publicScope.IpamScopeId,
      DefaultResourceDiscoveryId: ctx.newId('ipam-res-disco-'),
      DefaultResourceDiscoveryAssociationId: ctx.newId('ipam-res-disco-assoc-'),
    };
    ctx.store.ipams.add(IpamId, ipam);
    return {
      RequestId,
      IpamId,
      PrivateDefaultScopeId: ipam.PrivateDefaultScopeId,
      PublicDefaultScopeId: ipam.PublicDefaultScopeId,
      DefaultResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
      DefaultResourceDiscoveryAssociationId: ipam.DefaultResourceDiscoveryAssociationId,
      ResourceDiscoveryAssociationCount: 1,
    };
  };
});

export const updateIpam = mutation('UpdateIpam', {
  RegionId: REGION,
  IpamId: REQUIRED_ID,
  IpamName: NAME,
  IpamDescription: DESCRIPTION,
  AddOperatingRegion: { ...REGION_LIST, note: 'the IPAM then operates in 50 regions at most, as CreateIpam allows (more: IllegalParam.AddOperatingRegion)' },
  RemoveOperatingRegion: REGION_LIST,
  ...MUTATION,
}, (ctx, p) => {
  // the request's own parameters first (README "Order of checks"), then the IPAM
  ctx.knownRegion(p.RegionId);
  const added = regionList(ctx, p.AddOperatingRegion ?? [], 'AddOperatingRegion');
  const removed = regionList(ctx, p.RemoveOperatingRegion ?? [], 'RemoveOperatingRegion');
  const ipam = ctx.ipam(p.IpamId, p.RegionId);
  if (removed.includes(ipam.RegionId)) throw apiError('OperationDenied.HostRegionRequired', ipam.RegionId);
  // held to CreateIpam's limit (a state document holds it too), counted as the commit makes the list
  const regions = [...new Set([...ipam.OperatingRegionList, ...added])].filter((r) => !removed.includes(r));
  if (regions.length > REGION_LIST.maxItems) throw illegalParam('AddOperatingRegion', `the IPAM would operate in ${regions.length} regions, at most ${REGION_LIST.maxItems}`);
  // a region removed must be no pool's (no walk over every pool when none is)
  for (const pool of removed.length === 0 ? [] : ctx.store.pools.values()) {
    if (pool.IpamId === ipam.IpamId && pool.PoolRegionId !== undefined && removed.includes(pool.PoolRegionId)) {
      throw apiError('DependencyViolation.IpamPool', `${pool.IpamPoolId} uses ${pool.PoolRegionId}.`);
    }
  }
  return (RequestId) => {
    if (p.IpamName !== undefined) ipam.IpamName = p.IpamName;
    if (p.IpamDescription !== undefined) ipam.IpamDescription = p.IpamDescription;
    ipam.OperatingRegionList = regions;
    return { RequestId };
  };
});

export const deleteIpam = mutation('DeleteIpam', {
  RegionId: REGION,
  IpamId: REQUIRED_ID,
  ...MUTATION,
}, (ctx, p) => {
  const ipam = ctx.ipam(p.IpamId, p.RegionId);
  const scopes = [...ctx.store.scopes.values()].filter((s) => s.IpamId === ipam.IpamId);
  const busy = scopes.find((s) => s.pools.size > 0);
  if (busy) throw apiError('DependencyViolation.IpamPool', `Scope ${busy.IpamScopeId} still has pools.`);
  const custom = scopes.find((s) => !s.IsDefault);
  if (custom) throw apiError('DependencyViolation.IpamScope', custom.IpamScopeId);
  return (RequestId) => {
    for (const scope of scopes) dropScope(ctx, scope);
    ctx.store.ipams.delete(ipam.IpamId);
    return { RequestId };
  };
});

export const listIpams = query('ListIpams', 'POST', {
  RegionId: REGION,
  IpamIds: FILTER_IDS,
  IpamName: FILTER_TEXT,
  ResourceGroupId: FILTER_TEXT,
  Tags: TAG_FILTER,
  ...PAGE,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  return listOf(ctx, 'Ipams', ctx.store.ipams, p, (ipam) =>
    ipam.RegionId === p.RegionId &&
    (!p.IpamIds || p.IpamIds.includes(ipam.IpamId)) &&
    (p.IpamName === undefined || ipam.IpamName === p.IpamName) &&
    (p.ResourceGroupId === undefined || ipam.ResourceGroupId === p.ResourceGroupId) &&
    hasTags(ipam.Tags, p.Tags), (ipam) => defined({
    IpamId: ipam.IpamId,
    IpamName: ipam.IpamName,
    IpamDescription: ipam.IpamDescription,
    RegionId: ipam.RegionId,
    OperatingRegionList: [...ipam.OperatingRegionList],
    IpamStatus: 'Created',
    ScopeCount: [...ctx.store.scopes.values()].filter((s) => s.IpamId === ipam.IpamId).length,
    PrivateDefaultScopeId: ipam.PrivateDefaultScopeId,
    PublicDefaultScopeId: ipam.PublicDefaultScopeId,
    DefaultResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
    DefaultResourceDiscoveryAssociationId: ipam.DefaultResourceDiscoveryAssociationId,
    ResourceDiscoveryAssociationCount: 1,
    ResourceGroupId: ipam.ResourceGroupId,
    CreateTime: ipam.CreateTime,
    Tags: ipam.Tags.map((t) => ({ ...t })),
  }), undefined, p.IpamIds?.map((id) => ctx.store.ipams.get(id)));
});
