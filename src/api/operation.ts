import type { Context } from './context.js';
import type { ParamsOf, ParamSpecs } from './params.js';

/**
 * One row of the operation table. A read-only handler returns its response (the service puts
 * the RequestId first); a mutating one checks everything first and returns the commit step,
 * which must not fail. That split is what makes DryRun (checks only) and atomicity (nothing
 * changes before commit) structural. The commit step is given the RequestId and answers with
 * the whole response, RequestId first: mutations are the hot path, and one object literal
 * costs a fifth of copying a body behind a RequestId.
 */
export interface Operation<A extends string = string, P extends ParamSpecs = ParamSpecs, R extends object = object> {
  readonly action: A;
  readonly method: 'GET' | 'POST';
  readonly params: P;
  readonly mutates: boolean;
  readonly run: (ctx: Context, params: ParamsOf<P>) => R | Commit<R>;
}

export type Commit<R extends object> = (requestId: string) => R & { RequestId: string };

export function query<A extends string, P extends ParamSpecs, R extends object>(
  action: A, method: 'GET' | 'POST', params: P, run: (ctx: Context, params: ParamsOf<P>) => R,
): Operation<A, P, R> {
  return { action, method, params, mutates: false, run };
}

export function mutation<A extends string, P extends ParamSpecs, R extends object>(
  action: A, params: P, run: (ctx: Context, params: ParamsOf<P>) => Commit<R>,
): Operation<A, P, R> {
  return { action, method: 'POST', params, mutates: true, run };
}
