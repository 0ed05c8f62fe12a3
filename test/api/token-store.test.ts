/**
 * ClientTokenStore edges left open by the API suite (mutation review): a stale queue entry of a
 * token used again behind a live one, the exact 24-hour boundary when forgetting, and the map
 * order of a token used again.
 */
import { describe, expect, it, vi } from 'vitest';
import { CLIENT_TOKEN_TTL_MS, ClientTokenStore } from '../../src/api/token-store.js';

const HOUR = 3_600_000;
const entry = (at: number) => ({ action: 'CreateIpamScope', digest: '', response: null, at });

describe('ClientTokenStore', () => {
  it('does not forget a token used again through the stale queue entry of its earlier use', async () => {
    // a clock set back leaves X@0 behind A@48h; X, expired, is used again at 60h (A still held,
    // so X@0 stays queued); at 73h A expires and X@0 is reached: X@60h must stay held
    const store = new ClientTokenStore();
    store.remember('A', entry(48 * HOUR));
    store.remember('X', entry(0));
    expect(store.held('X', 60 * HOUR)).toBeUndefined();
    store.remember('X', entry(60 * HOUR));
    store.remember('Y', entry(73 * HOUR));
    expect(store.held('X', 73 * HOUR)?.at).toBe(60 * HOUR);
    expect([...store.entries()].map(([token, e]) => [token, e.at])).toEqual([['X', 60 * HOUR], ['Y', 73 * HOUR]]);
  });

  it('forgets a token given exactly 24 hours before the call that remembers the next one', () => {
    const store = new ClientTokenStore();
    store.remember('old', entry(0));
    store.remember('new', entry(CLIENT_TOKEN_TTL_MS));
    expect(store.held('old', CLIENT_TOKEN_TTL_MS)).toBeUndefined();
    expect([...store.entries()].map(([token]) => token)).toEqual(['new']);
  });

  it('moves a token used again to the end of the held order (exported in that order)', () => {
    // X@0 sits between A@48h and B@50h (a clock set back); used again at 60h it is the newest
    const store = new ClientTokenStore();
    store.remember('A', entry(48 * HOUR));
    store.remember('X', entry(0));
    store.remember('B', entry(50 * HOUR));
    store.remember('X', entry(60 * HOUR));
    expect([...store.entries()].map(([token, e]) => [token, e.at])).toEqual([['A', 48 * HOUR], ['B', 50 * HOUR], ['X', 60 * HOUR]]);
  });

  it('compacts its queue in amortised O(1) a call: a day of held tokens is not copied every 1,024 forgotten', () => {
    // a token every 10 s holds 8,640 for a day; copying them at every 1,025th forget is 8 copies a call
    const store = new ClientTokenStore();
    const calls = 40_000;
    let copied = 0;
    const slice = Array.prototype.slice;
    const spy = vi.spyOn(Array.prototype, 'slice').mockImplementation(function (this: unknown[], ...args: [number?, number?]) {
      const out = slice.apply(this, args);
      copied += out.length;
      return out;
    });
    try {
      for (let i = 0; i < calls; i++) store.remember(`t${i}`, entry(i * 10_000));
    } finally {
      spy.mockRestore();
    }
    expect(store.size).toBe(CLIENT_TOKEN_TTL_MS / 10_000);
    expect(copied).toBeLessThan(3 * calls);
  });
});
