/**
 * API errors: the codes of ../shared/spec/alibaba-ipam-api.md §4 with their HTTP statuses.
 * Parameter errors follow the family the spec documents for Cidr/CidrMask:
 * `MissingParam.<Name>` and `IllegalParam.<Name>` (HTTP 400).
 */

import { MAX_CIDRS_PER_POOL, MAX_CIDRS_PER_PUBLIC_IPV6_POOL, MAX_POOL_DEPTH, MAX_SCOPES } from './limits.js';

export class IpamApiError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  requestId: string;
  constructor(code: string, httpStatus: number, message: string, requestId = '') {
    super(message);
    this.name = 'IpamApiError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.requestId = requestId;
  }
}

/** Codes with a fixed status; `detail` is appended to the message. */
export const ERRORS = {
  DryRunOperation: [400, 'Request validation has been passed with DryRun flag set.'],
  'InvalidAction.NotFound': [404, 'Specified api is not found, please check your url and method.'],
  InvalidParameter: [400, 'The request has a parameter that this action does not take.'],
  IdempotentParameterMismatch: [400, 'The ClientToken was already used with different parameters.'],
  'InvalidRegionId.NotFound': [404, 'The specified RegionId does not exist.'],
  'MissingParam.CidrOrCidrMask': [400, 'One of Cidr and CidrMask (CidrBlock and CidrMask) is required.'],
  'MissingParam.CidrOrNetmaskLength': [400, 'One of Cidr and NetmaskLength is required.'],
  'DuplicatedParam.TagKey': [400, 'A tag key appears more than once.'],
  'ResourceNotFound.Ipam': [404, 'The specified IPAM does not exist.'],
  'ResourceNotFound.IpamScope': [404, 'The specified IPAM scope does not exist.'],
  'ResourceNotFound.IpamPool': [404, 'The specified IPAM pool does not exist.'],
  'ResourceNotFound.IpamPoolCidr': [400, 'The pool has no such provisioned CIDR block.'],
  'ResourceNotFound.IpamPoolAllocation': [400, 'The specified allocation does not exist.'],
  'ResourceNotEnough.IpamPoolCidr': [400, 'The pool has no free CIDR block of the requested size.'],
  'OperationDenied.RequestRegionInvalid': [400, 'The request was not sent to the region this resource requires.'],
  'OperationDenied.PoolRegionNotSupportDeletePool': [400, 'The pool cannot be deleted from this region: use the IPAM\'s hosted region.'],
  'OperationDenied.IpamPoolNotInRegion': [400, 'The pool has no effective region.'],
  'OperationDenied.CidrInExcludeCidrs': [400, 'The CIDR block lies in an excluded range.'],
  'OperationDenied.CidrUnavailableInPool': [400, 'The CIDR block is not available in the pool.'],
  'OperationDenied.AvailableCidrInsufficient': [400, 'The pool has no free CIDR block of the requested size.'],
  'OperationDenied.MaskOfCidrIsNotAllowed': [400, "The mask is outside the pool's allowed allocation range."],
  'OperationDenied.ResourceTypeIsNotCustom': [400, 'Only custom allocations can be changed or deleted this way.'],
  'OperationDenied.IpamPoolAllocationExist': [400, 'Allocations still exist inside the CIDR block.'],
  'OperationDenied.IpamExists': [400, 'An IPAM already exists in this region.'],
  'OperationDenied.DefaultScope': [400, 'A default scope cannot be deleted.'],
  'OperationDenied.HostRegionRequired': [400, 'The IPAM hosted region must stay an operating region.'],
  'OperationDenied.PoolDepthExceeded': [400, `Pools can be nested at most ${MAX_POOL_DEPTH} levels deep.`],
  'OperationDenied.SourcePoolMismatch': [400, 'A sub-pool must be in the same scope and IP version as its source pool.'],
  'OperationDenied.PoolRegionInvalid': [400, "The pool region must be one of the IPAM's operating regions and agree with the source pool."],
  'OperationDenied.ProvisionByCidrOnly': [400, 'A top-level pool is provisioned by Cidr only: only a sub-pool takes a CIDR by NetmaskLength from its parent.'],
  'OperationDenied.SourcePoolHasNoCidr': [400, 'The source pool has no provisioned CIDR block.'],
  'OperationDenied.CidrOverlap': [400, 'The CIDR block overlaps a CIDR block already provisioned to a top-level pool of the scope.'],
  'OperationDenied.UnsupportedScopeType': [400, 'Only private scopes can be created.'],
  'QuotaExceeded.IpamPoolCidr': [400, `A pool holds at most ${MAX_CIDRS_PER_POOL} provisioned CIDR blocks (a top-level public IPv6 pool ${MAX_CIDRS_PER_PUBLIC_IPV6_POOL}).`],
  'QuotaExceeded.IpamPool': [400, 'A region holds at most one top-level public IPv6 pool per ISP type.'],
  'QuotaExceeded.IpamScope': [400, `An IPAM holds at most ${MAX_SCOPES} scopes.`],
  'DependencyViolation.IpamPool': [400, 'Pools still depend on this resource.'],
  'DependencyViolation.PoolCidr': [400, 'The pool still has provisioned CIDR blocks.'],
  'DependencyViolation.CustomPoolAllocation': [400, 'The pool still has custom allocations.'],
  'DependencyViolation.SubCidr': [400, 'A sub-pool still holds a CIDR block carved from this one.'],
  'DependencyViolation.IpamScope': [400, 'Custom scopes still depend on this IPAM.'],
  'InternalError': [500, 'The request processing has failed due to some unknown error.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export function apiError(code: ErrorCode, detail?: string): IpamApiError {
  const [status, message] = ERRORS[code];
  return new IpamApiError(code, status, detail ? `${message} ${detail}` : message);
}

export function missingParam(name: string): IpamApiError {
  return new IpamApiError(`MissingParam.${name}`, 400, `The required parameter ${name} is missing.`);
}

export function illegalParam(name: string, why: string): IpamApiError {
  return new IpamApiError(`IllegalParam.${name}`, 400, `The parameter ${name} is invalid: ${why}.`);
}
