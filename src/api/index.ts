export { IpamService, DEFAULT_EXCLUDE_CIDRS, DEFAULT_REGIONS, type IpamServiceOptions } from './service.js';
export { IpamApiError, ERRORS, type ErrorCode } from './errors.js';
export { OPERATIONS, methodName, type Action, type RequestOf, type ResponseOf } from './table.js';
export type { Tag } from './params.js';
export type { Clock } from './ids.js';
export type { IpVersion } from './model.js';
export * from './limits.js';
export { IpamStateError, STATE_FORMAT, STATE_VERSION } from './state.js';
