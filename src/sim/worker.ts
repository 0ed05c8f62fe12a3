/** A simulation worker thread: loads an engine once, then runs the jobs it is sent. */
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine/index.js';
import { describeError, type WorkerMessage } from './parallel.js';
import { runJob, type StrategyJob } from './simulate.js';

const port = parentPort!;
const engine = Engine.load();
const send = (message: WorkerMessage) => port.postMessage(message);

port.on('message', (job: StrategyJob) => {
  engine
    .then((e) => runJob(e, job, (done) => send({ type: 'progress', strategy: job.strategy, done })))
    .then((run) => send({ type: 'result', run }))
    .catch((error: unknown) => send({ type: 'error', ...describeError(error) }));
});
