/** The operation table: every action the service answers, each declared once. */
import * as allocation from './operations/allocation.js';
import * as ipam from './operations/ipam.js';
import * as poolCidr from './operations/pool-cidr.js';
import * as pool from './operations/pool.js';
import * as scope from './operations/scope.js';
import * as utilization from './operations/utilization.js';
import type { Operation } from './operation.js';
import type { ParamsOf } from './params.js';

export const OPERATIONS = [
  ipam.createIpam, ipam.updateIpam, ipam.deleteIpam, ipam.listIpams,
  scope.createIpamScope, scope.updateIpamScope, scope.deleteIpamScope, scope.listIpamScopes,
  pool.createIpamPool, pool.updateIpamPool, pool.deleteIpamPool, pool.listIpamPools,
  poolCidr.addIpamPoolCidr, poolCidr.deleteIpamPoolCidr, poolCidr.listIpamPoolCidrs,
  allocation.createIpamPoolAllocation, allocation.updateIpamPoolAllocation, allocation.deleteIpamPoolAllocation,
  allocation.getIpamPoolAllocation, allocation.listIpamPoolAllocations, allocation.getIpamPoolNextAvailableCidr,
  utilization.getIpamPoolUtilization,
] as const;

export type AnyOperation = (typeof OPERATIONS)[number];
export type Action = AnyOperation['action'];
export type OperationOf<A extends Action> = Extract<AnyOperation, { action: A }>;
export type RequestOf<A extends Action> = ParamsOf<OperationOf<A>['params']>;
/** A query's handler returns the response; a mutation's returns the commit step that does. */
type Returned<O> = O extends { run: (...args: never[]) => infer X } ? (X extends (requestId: string) => infer R ? R : X) : never;
export type ResponseOf<A extends Action> = Returned<OperationOf<A>> & { RequestId: string };

export const OPERATION_BY_ACTION: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [op.action, op as unknown as Operation]));

/** CreateIpamPool → createIpamPool */
export function methodName<A extends string>(action: A): Uncapitalize<A> {
  return (action[0]!.toLowerCase() + action.slice(1)) as Uncapitalize<A>;
}
