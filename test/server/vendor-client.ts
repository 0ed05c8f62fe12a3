/** The vendor's generic client (@alicloud/openapi-core), configured as the spec's probe found works. */
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';

// CommonJS interop: the class is the module's default export
type ClientClass = new (config: $OpenApiUtil.Config) => {
  callApi(params: $OpenApiUtil.Params, request: $OpenApiUtil.OpenApiRequest, runtime: $dara.RuntimeOptions): Promise<{ statusCode: number; body: any }>;
};
export const VendorClient = ((OpenApi as unknown as { default?: unknown }).default ?? OpenApi) as unknown as ClientClass;
const GET_ACTIONS = new Set(['GetIpamPoolAllocation', 'GetIpamPoolNextAvailableCidr']);

export type Call = (action: string, query: Record<string, unknown>) => Promise<Record<string, any>>;

export function vendorClient(port: number, signature: 'v3' | 'v2'): Call {
  const client = new VendorClient(new $OpenApiUtil.Config({
    accessKeyId: 'test-ak', accessKeySecret: 'test-secret', endpoint: `127.0.0.1:${port}`, protocol: 'HTTP', regionId: 'cn-hangzhou',
    ...(signature === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
  }));
  return async (action, query) => {
    const params = new $OpenApiUtil.Params({
      action, version: '2023-02-28', protocol: 'HTTPS', pathname: '/', method: GET_ACTIONS.has(action) ? 'GET' : 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
    const response = await client.callApi(params, request, new $dara.RuntimeOptions({}));
    return response.body as Record<string, any>;
  };
}
