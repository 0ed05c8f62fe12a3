/**
 * The local IPAM endpoint: Alibaba's RPC wire over HTTP in front of an IpamService, so the
 * vendor's own client can talk to it. Signatures are accepted without checking.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { IpamApiError, type IpamService } from '../api/index.js';
import { OPERATION_BY_ACTION } from '../api/table.js';
import { decodeWire } from './wire.js';

export const API_VERSION = '2023-02-28';

export interface ServerLimits {
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Longest request URL in bytes. */
  maxUrlBytes: number;
  /** Largest total of the header lines (names, values, separators) in bytes. */
  maxHeaderBytes: number;
  /** Most parameters in one request (query and body together). */
  maxParameters: number;
  /** Milliseconds a client may take to send a whole request. */
  requestTimeoutMs: number;
  /** Milliseconds a client may take to send the headers. */
  headersTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 64 * 1024,
  // the SDK sends every parameter in the query: 20 tags of 64- and 128-character keys and values,
  // percent-encoded Chinese (9 bytes a character), come to about 35 KB with a name and description
  maxUrlBytes: 64 * 1024,
  maxHeaderBytes: 16 * 1024, // Node's own default
  maxParameters: 400,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
};

/** A mutating call the service accepted: what the journal records to replay it. */
export interface CommittedCall {
  action: string;
  params: Record<string, unknown>;
  time: Date;
  /** The RequestId it was answered with: replayed, a ClientToken's stored response keeps it. */
  requestId: string;
}

export interface ServerOptions {
  /** The region named in error HostIds (vpcipam.<region>.aliyuncs.com); default: the service's hostRegion. */
  region?: string;
  limits?: Partial<ServerLimits>;
  /**
   * Called after a mutating call succeeded and before its answer is sent; the answer waits for
   * the returned promise (the durable journal's fsync). The promises must settle in call order,
   * as the journal's batches do: a read waits for the latest one only, standing for all before.
   */
  onCommitted?: (entry: CommittedCall) => Promise<void>;
  /** The time each call runs at (set before the call; the journal records it). */
  setCallTime?: (time: Date) => void;
  /**
   * Why the endpoint can serve nothing more (the journal failed), or undefined. While it says
   * so, every request is answered ServiceUnavailable (503) and every answer closes its connection.
   */
  unavailable?: () => Error | undefined;
}

/** Servers that stopServing has begun to stop. */
const stopping = new WeakSet<http.Server>();

/**
 * Stops an endpoint made by createIpamServer: it takes no new connections, answers the requests
 * in flight on connections that close after the answer, answers ServiceUnavailable (503) to any
 * request that arrives after this on a connection already open (without applying it), and after
 * `graceMs` cuts the connections still open. Resolves once every connection is closed.
 */
export function stopServing(server: http.Server, graceMs: number): Promise<void> {
  stopping.add(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // an answer being written at the stop still said keep-alive: close its connection once it is idle
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  return closed.finally(() => {
    clearInterval(sweep);
    clearTimeout(deadline);
  });
}

class WireError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
  }
}

function errorBody(region: string, requestId: string, code: string, message: string) {
  return {
    RequestId: requestId,
    HostId: `vpcipam.${region}.aliyuncs.com`,
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=VpcIpam&requestId=${requestId}`,
  };
}

/** The vendor's client sends every parameter in the query: most POSTs carry no body at all. */
function hasBody(request: http.IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
}

function readBody(request: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new WireError('RequestBodyTooLarge', 413, `The request body is larger than ${limit} bytes.`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // answer now, and discard the rest rather than cut the connection before the answer
        request.off('data', collect);
        chunks.length = 0;
        request.resume();
        reject(new WireError('RequestBodyTooLarge', 413, `The request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', collect);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function createIpamServer(service: IpamService, given: ServerOptions = {}): http.Server {
  const options = { ...given, region: given.region ?? service.hostRegion };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const urlTooLong = () => new WireError('RequestURITooLong', 414, `The request URL is longer than ${limits.maxUrlBytes} bytes.`);
  const headersTooLarge = () => new WireError('RequestHeaderFieldsTooLarge', 431, 'The request headers are too large.');
  const send = (response: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    if (options.unavailable?.() || stopping.has(server)) response.shouldKeepAlive = false;
    // a raw header list skips Node's header-object normalisation on every answer
    response.writeHead(status, ['content-type', 'application/json;charset=utf-8', 'content-length', String(Buffer.byteLength(text))]);
    response.end(text);
  };

  const fail = (response: http.ServerResponse, error: unknown, requestId: string) => {
    // after an oversized body the connection closes with the answer: its remaining bytes are not read on
    if (error instanceof WireError && error.status === 413) response.shouldKeepAlive = false;
    if (error instanceof IpamApiError) {
      send(response, error.httpStatus, errorBody(options.region, error.requestId, error.code, error.message));
    } else if (error instanceof WireError) {
      send(response, error.status, errorBody(options.region, requestId || wireRequestId(), error.code, error.message));
    } else {
      send(response, 500, errorBody(options.region, requestId || wireRequestId(), 'InternalError', 'The request processing has failed due to some unknown error.'));
    }
  };

  // With a journal, an answer that rests on the state in memory (a read, a refusal) waits for the
  // changes made before it to be on disk: no client is shown a change that a failed write then
  // takes back. Journal batches settle in order, so the latest commit stands for all of them.
  let pendingCommits = 0;
  let latestCommit: Promise<void> = Promise.resolve();
  const afterCommits = (response: http.ServerResponse, requestId: string, reply: () => void) => {
    if (pendingCommits === 0) reply();
    else latestCommit.then(reply, (error) => fail(response, error, requestId));
  };
  const commit = (entry: CommittedCall) => {
    const written = options.onCommitted!(entry);
    pendingCommits++;
    latestCommit = written;
    const settled = () => void pendingCommits--;
    written.then(settled, settled);
    return written;
  };

  // Synchronous from the parsed request to the answer: a promise (and its microtask hops) only
  // where something is awaited, a request body or the journal's fsync.
  const answer = (request: http.IncomingMessage, response: http.ServerResponse, query: URLSearchParams, body: string) => {
    let requestId = '';
    try {
      const form = body !== '' && /application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '') ? new URLSearchParams(body) : undefined;
      const pairs: Iterable<[string, string]> = form ? [...query, ...form] : query;
      if (query.size + (form?.size ?? 0) > limits.maxParameters) throw new WireError('InvalidParameter.TooMany', 400, `A request may carry at most ${limits.maxParameters} parameters.`);
      // given twice, a parameter takes its last value: these two as well
      const action = query.getAll('Action').at(-1) ?? header(request, 'x-acs-action') ?? '';
      const version = query.getAll('Version').at(-1) ?? header(request, 'x-acs-version');
      const operation = OPERATION_BY_ACTION.get(action);
      if (!operation || operation.method !== request.method) {
        throw new WireError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
      }
      if (version !== API_VERSION) throw new WireError('InvalidVersion', 400, `Specified parameter Version is not valid: use ${API_VERSION}.`);
      const params = decodeWire(operation.params, pairs);
      const time = new Date();
      options.setCallTime?.(time);
      const result = service.call(action, params);
      requestId = String(result.RequestId);
      if (operation.mutates && options.onCommitted) {
        const id = requestId;
        commit({ action, params, time, requestId: id }).then(() => send(response, 200, result), (error) => fail(response, error, id));
      } else {
        afterCommits(response, requestId, () => send(response, 200, result));
      }
    } catch (error) {
      afterCommits(response, requestId, () => fail(response, error, requestId));
    }
  };

  const server = http.createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // Node enforces both timeouts on this interval (30 s by default): check often enough to matter
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    // Node's parser holds the request line and the headers to one size together and answers past
    // it itself: its limit is set well above both of ours, which the handler holds each to
    maxHeaderSize: 2 * (limits.maxUrlBytes + limits.maxHeaderBytes),
    // the path and Host are not looked at: an HTTP/1.1 request without Host is answered like any other
    // (Node's own refusal of it has no body in the API's error shape)
    requireHostHeader: false,
  }, (request, response) => {
    const down = options.unavailable?.();
    if (down) {
      fail(response, new WireError('ServiceUnavailable', 503, `The service is stopping: ${down.message}`), '');
      return;
    }
    if (stopping.has(server)) {
      // a request that came after the stop on a connection already open: not applied, and its
      // connection closes with the answer (as those of the requests in flight do)
      fail(response, new WireError('ServiceUnavailable', 503, 'The service is stopping.'), '');
      return;
    }
    const url = request.url ?? '/';
    // a URL of at most max/3 characters is under the limit whatever its characters (3 bytes at most each in UTF-8)
    if (url.length * 3 > limits.maxUrlBytes && Buffer.byteLength(url) > limits.maxUrlBytes) {
      fail(response, urlTooLong(), '');
      return;
    }
    let headerBytes = 0;
    for (const field of request.rawHeaders) headerBytes += field.length + 2; // ": " or CRLF after each
    if (headerBytes > limits.maxHeaderBytes) {
      fail(response, headersTooLarge(), '');
      return;
    }
    // only the query matters (the path is always /): no need for a whole URL object
    const mark = url.indexOf('?');
    const query = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
    if (!hasBody(request)) {
      answer(request, response, query, '');
      return;
    }
    // a body is read (and held to the limit) whatever the method; only a POST's carries parameters
    readBody(request, limits.maxBodyBytes).then((body) => answer(request, response, query, request.method === 'POST' ? body : ''), (error) => fail(response, error, ''));
  });
  // Node's parser answers a request line and headers over maxHeaderSize itself (431, no body),
  // and its timeouts (408, no body): answer them in the API's error shape instead
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // The packet is the read being parsed. One that begins the request holds its request line
    // unless the URL overflows it. A later one (the request began in an earlier read) shows the
    // end of the request line only when the URL is what ran long, and a read that ends no line at
    // all is taken for the URL too (a header that long cannot be told from it)
    const raw = (error as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '';
    const lineEnd = raw.indexOf('\r\n');
    const urlOverflows = /^[A-Z]+ \S/.test(raw)
      ? lineEnd < 0 || lineEnd > limits.maxUrlBytes
      : lineEnd < 0 || / HTTP\/\d\.\d$/.test(raw.slice(0, lineEnd));
    const refusal =
      error.code === 'HPE_HEADER_OVERFLOW' && urlOverflows ? urlTooLong()
      : error.code === 'HPE_HEADER_OVERFLOW' ? headersTooLarge()
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new WireError('RequestTimeout', 408, 'The request was not received in time.')
      : new WireError('MalformedRequest', 400, 'The request is not valid HTTP.');
    const text = JSON.stringify(errorBody(options.region, wireRequestId(), refusal.code, refusal.message));
    socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });
  return server;
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** RequestIds for requests refused before they reach the service: unique across restarts too. */
function wireRequestId(): string {
  return randomUUID().toUpperCase();
}
