/** ClientToken digests: which requests count as the same one. */

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
 * A stored digest made again by digestOf: builds before 2026-11-27 kept `DryRun: false` in it,
 * so a retry of such a call still matches after a restore.
 */
export function currentDigest(digest: string): string {
  try {
    const [action, pairs] = JSON.parse(digest) as [string, Array<[string, unknown]>];
    return digestOf(action, Object.fromEntries(pairs));
  } catch {
    return digest; // not one a service made: it matches nothing, as before
  }
}
