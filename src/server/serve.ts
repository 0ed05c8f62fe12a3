/** `wasm-ipam serve`: the endpoint with durable state (or --in-memory), until SIGINT/SIGTERM. */
import type { AddressInfo } from 'node:net';
import { IpamService } from '../api/index.js';
import { DurableState } from './durable.js';
import { createIpamServer, stopServing } from './server.js';

/** How long a stop waits for the requests in flight before it cuts their connections. */
const STOP_GRACE_MS = 3000;

export interface ServeSettings {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  inMemory: boolean;
}

export async function serve(settings: ServeSettings): Promise<void> {
  const durable = settings.inMemory ? undefined : await DurableState.open(settings.dataDir, { service: { hostRegion: settings.region } });
  const service = durable?.service ?? (await IpamService.create({ hostRegion: settings.region }));
  const server = createIpamServer(service, {
    ...(durable && {
      setCallTime: durable.setTime,
      onCommitted: ({ action, params, time, requestId }) => durable.append(action, params, time, requestId),
      unavailable: () => durable.failed,
    }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  console.log(`wasm-ipam listening on http://${host}:${port} (${durable ? `state in ${settings.dataDir}` : 'in memory'})`);

  const failure = await new Promise<Error | undefined>((resolve) => {
    const stop = (error?: Error) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // stop accepting, answer the requests in flight on closing connections, refuse later
      // ones; then flush the journal (a write whose answer was cut off is journaled all the same)
      void stopServing(server, STOP_GRACE_MS).then(() => resolve(error));
    };
    const onSignal = () => stop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // a journal that cannot be written stops the endpoint: what it answers must match the disk
    void durable?.failure.then(stop);
  });
  await durable?.close();
  // a stop by signal may still meet a failed write: of the requests in flight, or of the last flush
  const failed = failure ?? durable?.failed;
  if (failed) throw failed;
}
