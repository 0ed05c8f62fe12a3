/**
 * The endpoint's wire as the vendor's client (@alicloud/openapi-core) and raw HTTP clients drive it:
 * bearer credentials, repeated envelope parameters, long legal requests, a request without Host.
 */
import net, { type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpamService } from '../../src/index.js';
import { createIpamServer } from '../../src/server/server.js';
import { vendorClient } from './vendor-client.js';

const R = 'cn-hangzhou';
let server: Server;
let port: number;

beforeAll(async () => {
  server = createIpamServer(await IpamService.create(), { region: R });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

type ClientClass = new (config: $OpenApiUtil.Config) => {
  callApi(params: $OpenApiUtil.Params, request: $OpenApiUtil.OpenApiRequest, runtime: $dara.RuntimeOptions): Promise<{ statusCode: number; body: any }>;
};
const Client = ((OpenApi as unknown as { default?: unknown }).default ?? OpenApi) as unknown as ClientClass;

describe('the wire, at its edges', () => {
  // README "A local endpoint": "Signatures are accepted without being checked ... so any access key works";
  // src/server/wire.ts COMMON_PARAMETERS: "Signature and envelope parameters the client adds; not operation
  // parameters (spec §1)"; spec §1: "should not require a valid signature". With bearer-token credentials
  // the vendor client's classic RPC path (doRPCRequest) puts BearerToken and SignatureType in the query.
  it('accepts the BearerToken envelope parameter the vendor client adds with bearer credentials (v2 signatures)', async () => {
    const client = new Client(new $OpenApiUtil.Config({
      type: 'bearer', bearerToken: 'test-bearer', endpoint: `127.0.0.1:${port}`, protocol: 'HTTP', regionId: R, signatureAlgorithm: 'v2',
    } as never));
    const params = new $OpenApiUtil.Params({
      action: 'ListIpams', version: '2023-02-28', protocol: 'HTTPS', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const response = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query({ RegionId: R }) }), new $dara.RuntimeOptions({}));
    expect(response.body).toMatchObject({ Ipams: [], TotalCount: 0 });
  });

  // README "A local endpoint": "A parameter given twice takes its last value (the body's over the query's)".
  // Action and Version are taken with URLSearchParams.get, i.e. the first value.
  it('a parameter given twice takes its last value: Action and Version as well', async () => {
    const base = `http://127.0.0.1:${port}/?RegionId=${R}`;
    const action = await fetch(`${base}&Version=2023-02-28&Action=DescribeVpcs&Action=ListIpams`, { method: 'POST' });
    expect([action.status, (await action.json()).Code]).toEqual([200, undefined]);
    const version = await fetch(`${base}&Action=ListIpams&Version=2016-04-28&Version=2023-02-28`, { method: 'POST' });
    expect([version.status, (await version.json()).Code]).toEqual([200, undefined]);
  });

  // Spec §1: the SDK sends every operation parameter in the query string; spec §2.7 / docs/api-reference.md:
  // up to 20 tags, key up to 64 characters, value up to 128. Twenty tags of 20-character keys and 40-character
  // values in Chinese (well inside the limits) make a ~11 KB URL, refused 414 by the 8 KiB URL limit.
  it('a CreateIpam well inside the documented tag limits, sent by the vendor client, is not refused as too long', async () => {
    const call = vendorClient(port, 'v3');
    const Tag = Array.from({ length: 20 }, (_, i) => ({ Key: `业务部门标签${String(i).padStart(2, '0')}${'键'.repeat(12)}`, Value: '华东生产环境'.repeat(6) + '核心业务' }));
    expect(Tag.every((t) => [...t.Key].length === 20 && [...t.Value].length === 40)).toBe(true);
    const ipam = await call('CreateIpam', { RegionId: R, OperatingRegionList: [R], Tag });
    expect(ipam.IpamId).toMatch(/^ipam-/);
  });

  // README "A local endpoint": "errors carry the API's HTTP status and RequestId, HostId, Code, Message, Recommend";
  // server.ts answers Node's own parser refusals (431, 408, malformed) "in the API's error shape instead".
  // An HTTP/1.1 request without a Host header is refused by Node itself (requireHostHeader) with an empty body.
  it('an HTTP/1.1 request without a Host header is answered in the API error shape, not an empty 400', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`POST /?Action=ListIpams&Version=2023-02-28&RegionId=${R} HTTP/1.1\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 (200|400) /);
    expect(answer).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ RequestId: expect.any(String) });
  });
});
