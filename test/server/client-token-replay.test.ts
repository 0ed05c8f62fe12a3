// A ClientToken retry after a restart of the durable state (the journal replayed): the first answer,
// RequestId included, and the same state as before the restart.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digest } from '../api/fixture.js';
import { DurableState } from '../../src/server/durable.js';
import { journaledCall } from '../support/durable-call.js';

const R = 'cn-hangzhou';


describe('ClientToken after a journal replay', () => {
  it('a retry with the same ClientToken after a restart returns the acknowledged first response (same RequestId)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-ipam-token-'));
    const first = await DurableState.open(dir);
    const ipam = await journaledCall(first, 'CreateIpam', { RegionId: R, OperatingRegionList: [R] });
    const pool = await journaledCall(first, 'CreateIpamPool', { RegionId: R, IpamScopeId: ipam.PrivateDefaultScopeId });
    await journaledCall(first, 'AddIpamPoolCidr', { RegionId: R, IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/8' });
    const params = { RegionId: R, IpamPoolId: pool.IpamPoolId, CidrMask: 24, ClientToken: 'retry-after-crash' };
    const acknowledged = await journaledCall(first, 'CreateIpamPoolAllocation', params);
    const stateBefore = digest(first.service);
    await first.close();

    const second = await DurableState.open(dir); // replays the journal
    try {
      // README: the same token with the same parameters returns the first response (same RequestId)
      expect(second.service.call('CreateIpamPoolAllocation', params)).toEqual(acknowledged);
      // and a replay restores the state exactly (the durable tests' own invariant)
      expect(digest(second.service)).toBe(stateBefore);
    } finally {
      await second.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
