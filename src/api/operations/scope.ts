import { apiError } from '../errors.js';
import { MAX_SCOPES } from '../limits.js';
import { mutation, query } from '../operation.js';
import { FILTER_IDS, FILTER_TEXT, ID, MUTATION, NAME, PAGE, REGION, REQUIRED_ID, SCOPE_DESCRIPTION, SCOPE_TYPE, TAG_FILTER, TAGS } from '../params.js';
import { defined, dropScope, hasTags, listOf, newScope, newScopeSpaces } from './shared.js';

export const createIpamScope = mutation('CreateIpamScope', {
  RegionId: REGION,
  IpamId: REQUIRED_ID,
  IpamScopeType: { ...SCOPE_TYPE, default: '`private`', note: 'only `private` can be created: `public` is refused with OperationDenied.UnsupportedScopeType' },
  IpamScopeName: NAME,
  IpamScopeDescription: SCOPE_DESCRIPTION,
  ResourceGroupId: ID,
  Tag: TAGS,
  ...MUTATION,
}, (ctx, p) => {
  const ipam = ctx.ipam(p.IpamId, p.RegionId);
  if (p.IpamScopeType === 'public') throw apiError('OperationDenied.UnsupportedScopeType');
  const count = [...ctx.store.scopes.values()].filter((s) => s.IpamId === ipam.IpamId).length;
  if (count >= MAX_SCOPES) throw apiError('QuotaExceeded.IpamScope');
  return (RequestId) => {
    const [spaces] = newScopeSpaces(ctx, 1); // the engine's part first, whole: then the ID and the record
    const scope = newScope(ctx, {
      IpamScopeId: ctx.newId('ipam-scope-'),
      IpamId: ipam.IpamId,
      IpamScopeType: 'private',
      IsDefault: false,
      IpamScopeName: p.IpamScopeName,
      IpamScopeDescription: p.IpamScopeDescription,
      ResourceGroupId: p.ResourceGroupId,
      Tags: p.Tag ?? [],
      RegionId: ipam.RegionId,
    }, spaces);
    return { RequestId, IpamScopeId: scope.IpamScopeId };
  };
});

export const updateIpamScope = mutation('UpdateIpamScope', {
  RegionId: REGION,
  IpamScopeId: REQUIRED_ID,
  IpamScopeName: NAME,
  IpamScopeDescription: SCOPE_DESCRIPTION,
  ...MUTATION,
}, (ctx, p) => {
  // a default scope too: its name and description are the user's (its type and IPAM are not)
  const scope = ctx.scope(p.IpamScopeId, p.RegionId);
  return (RequestId) => {
    if (p.IpamScopeName !== undefined) scope.IpamScopeName = p.IpamScopeName;
    if (p.IpamScopeDescription !== undefined) scope.IpamScopeDescription = p.IpamScopeDescription;
    return { RequestId };
  };
});

export const deleteIpamScope = mutation('DeleteIpamScope', {
  RegionId: REGION,
  IpamScopeId: REQUIRED_ID,
  ...MUTATION,
}, (ctx, p) => {
  const scope = ctx.scope(p.IpamScopeId, p.RegionId);
  if (scope.IsDefault) throw apiError('OperationDenied.DefaultScope', scope.IpamScopeId);
  if (scope.pools.size > 0) throw apiError('DependencyViolation.IpamPool', `${scope.pools.size} pool(s) remain.`);
  return (RequestId) => {
    dropScope(ctx, scope);
    return { RequestId };
  };
});

export const listIpamScopes = query('ListIpamScopes', 'POST', {
  RegionId: REGION,
  IpamId: FILTER_TEXT,
  IpamScopeIds: FILTER_IDS,
  IpamScopeName: FILTER_TEXT,
  IpamScopeType: SCOPE_TYPE,
  ResourceGroupId: FILTER_TEXT,
  Tags: TAG_FILTER,
  ...PAGE,
}, (ctx, p) => {
  ctx.knownRegion(p.RegionId);
  return listOf(ctx, 'IpamScopes', ctx.store.scopes, p, (scope) =>
    scope.RegionId === p.RegionId &&
    (p.IpamId === undefined || scope.IpamId === p.IpamId) &&
    (!p.IpamScopeIds || p.IpamScopeIds.includes(scope.IpamScopeId)) &&
    (p.IpamScopeName === undefined || scope.IpamScopeName === p.IpamScopeName) &&
    (p.IpamScopeType === undefined || scope.IpamScopeType === p.IpamScopeType) &&
    (p.ResourceGroupId === undefined || scope.ResourceGroupId === p.ResourceGroupId) &&
    hasTags(scope.Tags, p.Tags), (scope) => defined({
    IpamScopeId: scope.IpamScopeId,
    IpamId: scope.IpamId,
    IpamScopeName: scope.IpamScopeName,
    IpamScopeDescription: scope.IpamScopeDescription,
    IpamScopeType: scope.IpamScopeType,
    IsDefault: scope.IsDefault,
    PoolCount: scope.pools.size,
    Status: 'Created',
    CreateTime: scope.CreateTime,
    RegionId: scope.RegionId,
    OwnerId: 0, // the account: one local account, as allocations' ResourceOwnerId
    ResourceGroupId: scope.ResourceGroupId,
    Tags: scope.Tags.map((t) => ({ ...t })),
  }), undefined, p.IpamScopeIds?.map((id) => ctx.store.scopes.get(id)));
});
