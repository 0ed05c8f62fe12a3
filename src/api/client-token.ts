/** ClientToken digests: which requests count as the same one; and how long a token is held. */
import type { ClientTokenEntry } from './model.js';
import { validateParams } from './params.js';
import { OPERATION_BY_ACTION } from './table.js';

/**
 * How long a token is remembered after its first call, on the service's clock: 24 hours. The
 * cloud documents no period (spec §2, [INFERRED]); without one, a service that clients send a
 * fresh token with every write grows with its whole history (AWS's APIs hold theirs 8–36 h).
 */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** The entry of a token still held at `now`: a lookup, which forgets nothing (see rememberToken). */
export function heldToken(tokens: ReadonlyMap<string, ClientTokenEntry>, token: string, now: number): ClientTokenEntry | undefined {
  const entry = tokens.get(token);
  return entry !== undefined && now - entry.at < CLIENT_TOKEN_TTL_MS ? entry : undefined;
}

/**
 * Keeps the token of a call that committed, after forgetting the expired ones: from the oldest
 * while they have expired (amortised O(1) a call), and an expired entry of this token wherever it
 * is (a clock that went back can leave one behind a newer entry). Only committed calls forget,
 * and a journal holds each of them and replays it at its recorded time, so a replay forgets
 * alike; a DryRun or a refused call, which no journal holds, must not.
 */
export function rememberToken(tokens: Map<string, ClientTokenEntry>, token: string, entry: ClientTokenEntry): void {
  for (const [oldest, held] of tokens) {
    if (entry.at - held.at < CLIENT_TOKEN_TTL_MS) break;
    tokens.delete(oldest);
  }
  tokens.delete(token);
  tokens.set(token, entry);
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
