/** The ClientTokens a service holds, and for how long. */
import type { ClientTokenEntry } from './model.js';

/**
 * How long a token is remembered after its first call, on the service's clock: 24 hours. The
 * cloud documents no period (spec §2, [INFERRED]); without one, a service that clients send a
 * fresh token with every write grows with its whole history (AWS's APIs hold theirs 8–36 h).
 */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * ClientToken → the action, a digest of its parameters, the first response and when it was given
 * (`at`, ms of a whole second), in order of first use.
 *
 * The order is kept twice: by the map (exported in it) and by a queue that expiry reads from its
 * head. Forgetting by walking the map from its start would pass, on every call, over each entry
 * deleted since V8 last rebuilt the map's table (a deleted entry stays as a hole until then):
 * with a day of tokens held, 10 times the cost of the call itself.
 */
export class ClientTokenStore {
  readonly #byToken = new Map<string, ClientTokenEntry>();
  /** Tokens in order of use with the entry each was given then; one whose map entry is another has been used again since. */
  #queueTokens: string[] = [];
  #queueEntries: ClientTokenEntry[] = [];
  #head = 0;

  get size(): number {
    return this.#byToken.size;
  }

  has(token: string): boolean {
    return this.#byToken.has(token);
  }

  /** The entry of a token still held at `now`: a lookup, which forgets nothing (see remember). */
  held(token: string, now: number): ClientTokenEntry | undefined {
    const entry = this.#byToken.get(token);
    return entry !== undefined && now - entry.at < CLIENT_TOKEN_TTL_MS ? entry : undefined;
  }

  /**
   * Keeps the token of a call that committed, after forgetting the expired ones: from the oldest
   * while they have expired (amortised O(1) a call), and an expired entry of this token wherever it
   * is (a clock that went back can leave one behind a newer entry). Only committed calls forget,
   * and a journal holds each of them and replays it at its recorded time, so a replay forgets
   * alike; a DryRun or a refused call, which no journal holds, must not.
   */
  remember(token: string, entry: ClientTokenEntry): void {
    const tokens = this.#queueTokens, entries = this.#queueEntries;
    for (; this.#head < tokens.length; this.#head++) {
      const oldest = tokens[this.#head]!, held = entries[this.#head]!;
      if (this.#byToken.get(oldest) !== held) continue; // used again since: its place is further on
      if (entry.at - held.at < CLIENT_TOKEN_TTL_MS) break;
      this.#byToken.delete(oldest);
    }
    if (this.#head > 1024 && this.#head * 2 > tokens.length) {
      this.#queueTokens = tokens.slice(this.#head);
      this.#queueEntries = entries.slice(this.#head);
      this.#head = 0;
    }
    this.add(token, entry);
  }

  /** Adds a token last, forgetting nothing else (a state document's, in its order). */
  add(token: string, entry: ClientTokenEntry): void {
    this.#byToken.delete(token);
    this.#byToken.set(token, entry);
    this.#queueTokens.push(token);
    this.#queueEntries.push(entry);
  }

  /** Held tokens and their entries, oldest first. */
  entries(): IterableIterator<[string, ClientTokenEntry]> {
    return this.#byToken.entries();
  }
}
