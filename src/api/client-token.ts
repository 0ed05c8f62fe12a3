/** ClientToken digests: which requests count as the same one; and how long a token is held. */
import type { ClientTokenEntry } from './model.js';

/**
 * How long a token is remembered after its first call, on the service's clock: 24 hours. The
 * cloud documents no period (spec §2, [INFERRED]); without one, a service that clients send a
 * fresh token with every write grows with its whole history (AWS's APIs hold theirs 8–36 h).
 */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The entry of a token still held at `now`, after forgetting the expired ones: from the oldest
 * while they have expired (amortised O(1) a call), and the one asked for whatever its place (a
 * clock that went back can leave an expired entry behind a newer one). Forgetting depends only
 * on the clock, so a journal replayed at its recorded times forgets alike.
 */
export function heldToken(tokens: Map<string, ClientTokenEntry>, token: string, now: number): ClientTokenEntry | undefined {
  for (const [oldest, entry] of tokens) {
    if (now - entry.at < CLIENT_TOKEN_TTL_MS) break;
    tokens.delete(oldest);
  }
  const entry = tokens.get(token);
  if (entry === undefined || now - entry.at < CLIENT_TOKEN_TTL_MS) return entry;
  tokens.delete(token);
  return undefined;
}

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
