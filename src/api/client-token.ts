/** ClientToken digests: which requests count as the same one (token-store.ts holds the tokens). */
import { validateParams } from './params.js';
import { OPERATION_BY_ACTION } from './table.js';

/**
 * Same action and same parameters (ClientToken and DryRun aside), whatever the key order: a DryRun
 * is asked of the very request it would make (`DryRun: false` is the default said aloud).
 */
export function digestOf(action: string, params: Record<string, unknown>): string {
  const rest = Object.keys(params).filter((k) => k !== 'ClientToken' && k !== 'DryRun').sort().map((k) => [k, params[k]]);
  return JSON.stringify([action, rest]);
}

/** Whether `digest` (digestOf's text) is one of an `action` request: it begins with the action's name. */
export function isDigestOf(action: string, digest: string): boolean {
  return digest.startsWith(`[${JSON.stringify(action)},`);
}

/**
 * A stored digest made again as this build makes it, from its parameters checked as a call's
 * are: builds before 2026-11-27 kept `DryRun: false` in it, and a tag without a Value as it was
 * given (now `Value: ''`), so a retry of such a call still matches after a restore.
 */
export function currentDigest(digest: string): string {
  try {
    const [action, pairs] = JSON.parse(digest) as [string, Array<[string, unknown]>];
    const operation = OPERATION_BY_ACTION.get(action);
    return operation ? digestOf(action, validateParams(action, operation.params, Object.fromEntries(pairs))) : digest;
  } catch {
    return digest; // not one a service made, or parameters this build refuses: it matches nothing, as before
  }
}
