/**
 * Durable state for the server: a snapshot plus an append-only journal of accepted mutations.
 *
 * - Every accepted mutation is appended and synced (fdatasync) before its answer is sent;
 *   appends that arrive together share one write and one sync (group commit).
 * - A journal record is one line, `<crc32 hex> <json>`. On start the snapshot is loaded and the
 *   journal replayed in order, each call at its recorded time, so IDs and CIDRs come out as in
 *   the original run (the ID generator's state is part of the snapshot). Damage that can only be
 *   the last batch's write cut short by a crash (a torn last record; or, after a power cut, any
 *   of its pages left unwritten) is dropped from the first damaged record on: that batch was
 *   never acknowledged, as its sync had not returned. Damage anywhere else, or a damaged
 *   snapshot, is refused.
 * - Once the journal holds `compactEvery` records and at least `compactRatio` times the last
 *   snapshot's bytes, the state is written to a new snapshot (temp file, fsync, rename, directory
 *   fsync); the records replayed at start count, so restarts do not put it off. A snapshot costs
 *   time in proportion to the whole state (17–30 s at 1,000,000 allocations), so it waits until
 *   the journal has grown to its size: its cost per record stays bounded, and a restart's replay
 *   takes about as long as reading the snapshot.
 *   The state is read just before the batch that reaches the count is written, and saved once
 *   that batch is synced, so it holds exactly the synced records (a call answered 500 never
 *   comes back). Records up to its sequence number are skipped on replay, so a crash between the
 *   snapshot and the journal reset loses nothing and applies nothing twice. The temp file of a
 *   snapshot that failed is removed, as is one left over at open.
 * - A journal write or sync that fails (a full disk, a file size limit) fails its batch, cuts the
 *   journal back to its last whole batch, and stops the state: the service in memory now holds
 *   changes the disk does not, so every later append is refused and `failure` settles; the
 *   server stops on it, and a restart continues from exactly the acknowledged changes (unless
 *   the cut fails too: see #stop).
 */
import { createHash } from 'node:crypto';
import { fdatasyncSync, ftruncateSync, promises as fs, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { DEFAULT_REGIONS, IpamService, type IpamServiceOptions } from '../api/index.js';
import { DIRECTORY_PROBLEMS, makeDirectories } from './directories.js';

const SNAPSHOT = 'snapshot.json';
/** Where a snapshot is written before it is renamed over SNAPSHOT. */
const SNAPSHOT_TEMP = `${SNAPSHOT}.tmp`;
const JOURNAL = 'journal.log';
const SNAPSHOT_FORMAT = 'wasm-ipam/snapshot';
const LOCK = 'lock';
/** Data directories this process holds (a lock file naming our own PID is stale unless listed here). */
const HELD = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID a lock file's text names, if that process is alive and not this one (else the file is stale). */
function liveHolder(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

const readIfThere = (file: string) => fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

/**
 * Makes `file` a hard link to `mine` (a file holding this process's PID), taking it over when the
 * process it names is gone. Returns undefined once it is ours, or the live process holding it (or
 * holding the right to take it over, see below) and the file that says so.
 *
 * Why two starts can never both take it, whatever the interleaving:
 * - A file appears only by link(), which fails if the name exists, and appears whole (never empty
 *   or half-written, so a reader never takes a file being written for a stale one).
 * - A stale `file` is deleted only by the holder of `${file}.break` (itself claimed this way, so
 *   one left by a killed start is taken over the same way, under `${file}.break.break`), and only
 *   after reading again, holding it, that `file` still has the text found stale and names no live
 *   process. Nothing else deletes that file meanwhile: its owner is gone and the right is ours.
 *   So a start that read a dead PID, then lost the race to another start that took the lock over,
 *   finds the new owner's PID on reading again and deletes nothing (the old read-check-rm deleted
 *   the new owner's lock, and both opened the directory).
 * - Once the stale file is gone every start is back at link(): exactly one of them makes `file`;
 *   the others read a live PID and refuse.
 */
async function claim(file: string, mine: string): Promise<{ pid: number; file: string } | undefined> {
  for (;;) {
    try {
      await fs.link(mine, file);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readIfThere(file);
    if (text === undefined) continue; // released meanwhile: try again
    const pid = liveHolder(text);
    if (pid !== undefined) return { pid, file };
    // left by a process that is gone: take the right to delete it (a live holder of that right is
    // taking the directory over right now: refused as an owner)
    const right = `${file}.break`;
    const holder = await claim(right, mine);
    if (holder) return holder;
    try {
      const again = await readIfThere(file);
      if (again === text && liveHolder(again) === undefined) await fs.rm(file, { force: true });
    } finally {
      await fs.rm(right, { force: true });
    }
  }
}

/**
 * Removes the `lock.<pid>` files of starts that were killed between writing and removing them
 * (their PIDs name no live process; a live start's is its own to remove). Called by the owner.
 */
async function removeDeadStartsFiles(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const pid = /^lock\.(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && liveHolder(pid) === undefined) await fs.rm(path.join(dir, name), { force: true });
  }
}

/** Takes `dir` for this process: one owner at a time; a lock left by a killed owner is taken over. */
async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const key = await fs.realpath(dir);
  const lockPath = path.join(dir, LOCK);
  const inUse = (who: string, file = lockPath) => new DurableStateError(`${dir} is in use by ${who} (${file}). Refusing to start: two owners would each journal their own changes.`);
  if (HELD.has(key)) throw inUse('this process');
  // claimed before the first wait: a second open in this process started meanwhile sees it
  HELD.add(key);
  // written whole before any name links to it (see claim); one left by a killed start of the same PID goes first
  const mine = `${lockPath}.${process.pid}`;
  try {
    await fs.rm(mine, { force: true });
    await fs.writeFile(mine, `${process.pid}\n`, { flag: 'wx' });
    try {
      const holder = await claim(lockPath, mine);
      if (holder) throw inUse(`process ${holder.pid}`, holder.file);
    } finally {
      await fs.rm(mine, { force: true });
    }
    await removeDeadStartsFiles(dir).catch(() => undefined); // litter, never a reason to refuse the directory
  } catch (error) {
    HELD.delete(key);
    throw error;
  }
  return async () => {
    try {
      await fs.rm(lockPath, { force: true });
    } finally {
      // only once the file is gone: an open in this process started meanwhile is refused, rather
      // than finding its own PID, taking the lock over, and having it deleted by this rm
      HELD.delete(key);
    }
  };
}

export class DurableStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurableStateError';
  }
}

/**
 * The random strategy's draw that this build makes. A journal is replayed by calling again, so
 * a record that took a block by the random strategy comes back as the same block only under the
 * same draw: records carry the draw they were made with, and a record that would draw at random
 * under another is refused. Draws: none, 1, before random's counted draw of 2026-11-26; 2, until
 * its counts were bounded by the sources' total and its uniform draws aimed at the sources
 * (2026-11-27), which changed IPv6 pools' blocks and those of a pool of several CIDRs whose draws
 * reach the uniform ones.
 */
const RANDOM_DRAW = 3;

interface JournalRecord {
  seq: number;
  time: string;
  action: string;
  params: Record<string, unknown>;
  draw?: number;
  /** The RequestId answered (records written before it was kept have none: replay makes one). */
  requestId?: string;
  /** The seq of the first record of the batch it was written and synced with (none before 2026-11-27). */
  batch?: number;
}

/**
 * Whether the damage that begins at `lines[0]`, right after the record numbered `prev`, can only
 * be the last batch's write torn by a crash. A crash leaves pages of that write unwritten (zeros:
 * the file's size was already set) or the write cut short, so every damaged line holds a NUL or
 * is the last line (no newline after it); and every whole record after the damage belongs to one
 * batch that began at or before it, so the damage lies in the one batch whose sync had not
 * returned. Anything else (a changed byte, a lost newline) is damage to what was acknowledged.
 */
function tornFinalBatch(lines: readonly string[], prev: number): boolean {
  const whole: JournalRecord[] = [];
  for (const [i, line] of lines.entries()) {
    const last = i === lines.length - 1;
    const record = last ? undefined : parseLine(line);
    if (record) whole.push(record);
    else if (!last && !line.includes('\0')) return false;
  }
  if (whole.length === 0) return true;
  const batch = whole[0]!.batch;
  return batch !== undefined && batch <= prev + 1 && whole.every((record) => record.batch === batch && record.seq > prev);
}

/**
 * Whether replaying the record would take a block by the random strategy (a mask, no CIDR).
 * `regions`: those the service knows, where the pool's IPAM is looked for when the record's own
 * region is not the IPAM's (a pool of another region takes its allocations in that region).
 */
function drawsAtRandom(service: IpamService, regions: readonly string[], { action, params }: JournalRecord): boolean {
  if (params.Cidr !== undefined || (action !== 'CreateIpamPoolAllocation' && action !== 'AddIpamPoolCidr')) return false;
  const pool = (id: unknown) => {
    if (typeof id !== 'string') return undefined;
    // the record's own region first; only known ones (an unknown one would be refused)
    for (const region of new Set([params.RegionId, ...regions])) {
      if (typeof region !== 'string' || !regions.includes(region)) continue;
      const found = service.listIpamPools({ RegionId: region, IpamPoolIds: [id] }).IpamPools[0];
      if (found) return found;
    }
    return undefined;
  };
  // an allocation takes from its pool, a CIDR by length from the pool's source pool
  const taker = action === 'CreateIpamPoolAllocation' ? pool(params.IpamPoolId) : pool(pool(params.IpamPoolId)?.SourceIpamPoolId);
  return taker?.AllocationStrategy === 'random';
}

/**
 * Replays the journal's records after `lastSeq` (the snapshot holds those up to it) into the
 * service, each at its recorded time. Returns the bytes of whole records, where the journal is
 * cut back to (a torn last batch is dropped), and the seq of the last record replayed.
 */
function replayJournal(journalPath: string, journalText: string, service: IpamService, lastSeq: number, regions: readonly string[], setTime: (time: Date) => void): { goodBytes: number; seq: number } {
  let goodBytes = 0;
  let seq = lastSeq;
  const lines = journalText.split('\n');
  /** The seq of the last whole record read, replayed or (held by the snapshot already) skipped. */
  let prev = lastSeq;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = i === lines.length - 1;
    if (last && line === '') break; // the text ended with a complete record
    const record = last ? undefined : parseLine(line); // a final line without its newline is torn
    if (!record) {
      if (!tornFinalBatch(lines.slice(i), prev)) throw new DurableStateError(`${journalPath} is damaged at record ${i + 1}, not as a crash tears the last write (pages left unwritten, or a last line cut short). Refusing to start.`);
      break; // the rest is the torn last batch: it was never acknowledged
    }
    goodBytes += Buffer.byteLength(line) + 1;
    prev = record.seq;
    if (record.seq <= lastSeq) continue;
    if (record.seq !== seq + 1) throw new DurableStateError(`${journalPath}: record ${record.seq} follows ${seq}. Refusing to start.`);
    if ((record.draw ?? 1) !== RANDOM_DRAW && drawsAtRandom(service, regions, record)) {
      throw new DurableStateError(`${journalPath}: record ${record.seq} (${record.action}) took a block at random with the random strategy's draw ${record.draw ?? 1}, ` +
        `and this build draws differently (draw ${RANDOM_DRAW}): replayed, it would take another block than the one it answered. ` +
        'Open it once with the build that wrote it and take a snapshot there (DurableState.snapshot(), or serve until it compacts), then open it with this one.');
    }
    setTime(new Date(record.time));
    try {
      // with the RequestId first answered: a ClientToken retry after the restart gets that answer
      service.call(record.action, record.params, typeof record.requestId === 'string' ? record.requestId : undefined);
    } catch (error) {
      // records without a RequestId come from builds before 2026-11-27, which may have taken what
      // this one refuses (a second top-level public IPv6 pool of one ISP and region); a snapshot
      // taken by that build loads here
      const older = record.requestId === undefined
        ? ' The record was written by an older build: if that build accepted it, open the directory once with that build and take a snapshot there (DurableState.snapshot(), or serve until it compacts), then open it with this one.'
        : '';
      throw new DurableStateError(`${journalPath}: record ${record.seq} (${record.action}) no longer applies: ${(error as Error).message}${older}`);
    }
    seq = record.seq;
  }
  return { goodBytes, seq };
}

export interface DurableOptions {
  /** Snapshot once the journal holds at least this many records (default 10,000)… */
  compactEvery?: number;
  /** …and at least this many times the last snapshot's bytes (default 1; 0: by the count alone). */
  compactRatio?: number;
  service?: Omit<IpamServiceOptions, 'seed' | 'clock'>;
}

function recordLine(record: JournalRecord): string {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

function parseLine(line: string): JournalRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (parseInt(line.slice(0, 8), 16) !== crc32(json)) return undefined;
  try {
    return JSON.parse(json) as JournalRecord;
  } catch {
    return undefined;
  }
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class DurableState {
  readonly service: IpamService;
  readonly #dir: string;
  readonly #compactEvery: number;
  readonly #compactRatio: number;
  /** Bytes of the last snapshot written or read (0 before the first). */
  #snapshotBytes: number;
  #journal: fs.FileHandle;
  #seq: number;
  /** Records journaled since the snapshot, those replayed at start included (see the constructor). */
  #sinceSnapshot: number;
  #pending: Array<{ line: string; done: () => void; failed: (e: unknown) => void }> = [];
  /** Bytes of whole, synced batches in the journal: where it is cut back to when a write fails. */
  #journalBytes: number;
  #failure: DurableStateError | undefined;
  #reportFailure!: (error: DurableStateError) => void;
  /** The journal failure that stopped this state, if one did. */
  get failed(): DurableStateError | undefined {
    return this.#failure;
  }

  /** Settles with the error when a journal write fails (and never otherwise). */
  readonly failure = new Promise<DurableStateError>((resolve) => (this.#reportFailure = resolve));
  /** Sets the time the service's clock reads: the server sets it before each call and journals it. */
  readonly setTime: (time: Date) => void;

  readonly #release: () => Promise<void>;
  #snapshotError: unknown;

  private constructor(dir: string, service: IpamService, journal: fs.FileHandle, journalBytes: number, snapshotBytes: number, seq: number, sinceSnapshot: number, options: DurableOptions, setTime: (time: Date) => void, release: () => Promise<void>) {
    this.#dir = dir;
    this.#release = release;
    this.#journalBytes = journalBytes;
    this.service = service;
    this.#journal = journal;
    this.#seq = seq;
    // the records replayed count too: starting from 0 on every open, a server restarted more often
    // than every compactEvery records never compacted, and its journal (and replay) grew for good
    this.#sinceSnapshot = sinceSnapshot;
    this.#compactEvery = options.compactEvery ?? 10_000;
    this.#compactRatio = options.compactRatio ?? 1;
    this.#snapshotBytes = snapshotBytes;
    this.setTime = setTime;
  }

  /** Opens (or creates) the state in `dir`, replaying the journal; refuses damaged state loudly. */
  static async open(dir: string, options: DurableOptions = {}): Promise<DurableState> {
    // one level at a time: Node 20's mkdir(…, { recursive: true }) never settles under /proc
    const created = await makeDirectories(dir).catch((error: NodeJS.ErrnoException) => {
      throw new DurableStateError(`${dir} cannot hold the state: ${DIRECTORY_PROBLEMS[error.code ?? ''] ?? error.message}`);
    });
    // a directory made here is a new entry in its parent: sync each parent made to hold one
    if (created !== undefined) {
      for (let made = path.resolve(dir); ; made = path.dirname(made)) {
        await fsyncPath(path.dirname(made));
        if (made === path.resolve(created)) break;
      }
    }
    const release = await acquireLock(dir);
    try {
      // a temp file left by a snapshot cut short (the process killed while writing it): only the
      // lock's holder may touch it, and it is never read. Anything else in its way (a directory)
      // stays, and the next snapshot says so.
      await fs.rm(path.join(dir, SNAPSHOT_TEMP), { force: true }).catch(() => undefined);
      return await DurableState.#open(dir, options, release);
    } catch (error) {
      await release();
      throw error;
    }
  }

  static async #open(dir: string, options: DurableOptions, release: () => Promise<void>): Promise<DurableState> {
    let now = new Date();
    const clock = () => now;
    const setTime = (time: Date) => (now = time);

    let service: IpamService;
    let lastSeq = 0;
    let hasIdState = true; // a new directory's service is seeded: its first snapshot holds the state
    let tokensTimed = true; // whether every ClientToken of the snapshot says when it was given
    const snapshotPath = path.join(dir, SNAPSHOT);
    const snapshotText = await readIfThere(snapshotPath);
    if (snapshotText === undefined) {
      const seed = (Math.random() * 2 ** 32) >>> 0;
      service = await IpamService.create({ ...options.service, seed, clock });
    } else {
      let snapshot: { format?: string; lastSeq?: number; sha256?: string; state?: unknown };
      try {
        snapshot = JSON.parse(snapshotText);
      } catch {
        throw new DurableStateError(`${snapshotPath} is damaged: not JSON. Refusing to start; restore it from a backup or move it away.`);
      }
      const digest = createHash('sha256').update(JSON.stringify(snapshot.state)).digest('hex');
      if (snapshot.format !== SNAPSHOT_FORMAT || digest !== snapshot.sha256 || !Number.isSafeInteger(snapshot.lastSeq)) {
        throw new DurableStateError(`${snapshotPath} is damaged (format or checksum mismatch). Refusing to start.`);
      }
      lastSeq = snapshot.lastSeq!;
      // IDs go on from the document's generator state (a document without one: from seed 0, as
      // the service that wrote the journal did, until it is carried over below). Given no seed,
      // the restored service draws RequestIds from crypto randomness: they must not repeat from one
      // start to the next, which a stream from a 32-bit seed would now and then do
      const state = snapshot.state as { idState?: unknown; clientTokens?: Array<{ time?: unknown }> } | undefined;
      hasIdState = state?.idState !== undefined;
      tokensTimed = !Array.isArray(state?.clientTokens) || state.clientTokens.every((token) => token?.time !== undefined);
      const seed = hasIdState ? undefined : 0;
      service = await IpamService.restore(snapshot.state, { ...options.service, seed, clock });
    }

    // what is opened here is given back on every way out but a start: the file handle, and the
    // service's spaces (in an engine that lives on when the caller gave one)
    let journal: fs.FileHandle | undefined;
    try {
      const journalPath = path.join(dir, JOURNAL);
      const journalText = await fs.readFile(journalPath, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
      if (snapshotText === undefined && journalText.trim() !== '') {
        throw new DurableStateError(`${journalPath} has records but ${snapshotPath} is missing: the IDs it answered cannot be made again. Refusing to start.`);
      }
      const { goodBytes, seq } = replayJournal(journalPath, journalText, service, lastSeq, options.service?.regions ?? DEFAULT_REGIONS, setTime);
      journal = await fs.open(journalPath, 'a+');
      if (goodBytes < Buffer.byteLength(journalText)) {
        await journal.truncate(goodBytes);
        await journal.sync();
      }
      const snapshotBytes = snapshotText === undefined ? 0 : Buffer.byteLength(snapshotText);
      const state = new DurableState(dir, service, journal, goodBytes, snapshotBytes, seq, seq - lastSeq, options, setTime, release);
      if (snapshotText === undefined) {
        // the first snapshot holds the ID generator's seed: without it the journal does not replay
        await state.snapshot().catch((error) => {
          throw new DurableStateError(`The first snapshot of ${dir} could not be written (${(error as Error).message}). Refusing to start.`);
        });
      }
      if (hasIdState && tokensTimed) return state;
      // a document without the ID generator's state (written before it was kept) gave every start
      // the RequestId stream of seed 0: carry the directory over to a snapshot that holds it (seed
      // 0's state, where the replay left it) and open that, which starts RequestIds at random.
      // Likewise ClientTokens without a time (before they expired) are held 24 hours from their
      // restore: the snapshot keeps that time, which would otherwise move with every start, and a
      // journal replay would then forget them at other times than the run it replays
      await state.snapshot().catch((error) => {
        throw new DurableStateError(`${snapshotPath} predates ${hasIdState ? 'the ClientTokens\' times' : 'the ID generator\'s state'}, and a snapshot holding ${hasIdState ? 'them' : 'it'} could not be written (${(error as Error).message}). Refusing to start.`);
      });
    } catch (error) {
      await journal?.close().catch(() => undefined);
      service.dispose();
      throw error;
    }
    await journal.close();
    service.dispose();
    return DurableState.#open(dir, options, release);
  }

  /** Journals an accepted mutation, answered with `requestId`; resolves once it is on disk (fsynced). */
  append(action: string, params: Record<string, unknown>, time: Date, requestId: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    // what is pending now is written and synced together (see #flush): a batch starts on an empty list
    if (this.#pending.length === 0) this.#batchFrom = seq;
    const record: JournalRecord = { seq, time: time.toISOString(), action, params, draw: RANDOM_DRAW, requestId, batch: this.#batchFrom };
    return new Promise((done, failed) => {
      this.#pending.push({ line: recordLine(record), done, failed });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // everything appended in this turn of the event loop shares one write and one fsync
        setImmediate(() => {
          this.#flushScheduled = false;
          void this.#serial(() => this.#flush());
        });
      }
    });
  }

  #flushScheduled = false;
  /** The seq of the first record pending. */
  #batchFrom = 0;
  #chain: Promise<void> = Promise.resolve();

  /** Journal writes and snapshots run one at a time, in order. */
  #serial(work: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #snapshotRequested = false;

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (this.#failure) {
      for (const p of batch) p.failed(this.#failure);
      return;
    }
    // A snapshot must hold exactly what is durable. Read here, before the batch is written and
    // before any later call can run, the state holds this batch and the batches already synced,
    // nothing else; it is written only once this batch is synced too, and dropped if it fails.
    const bytes = Buffer.from(batch.map((p) => p.line).join(''));
    const compact = this.#snapshotRequested || (this.#sinceSnapshot + batch.length >= this.#compactEvery &&
      this.#journalBytes + bytes.length >= this.#snapshotBytes * this.#compactRatio);
    const stateText = compact ? JSON.stringify(this.service.exportState()) : undefined;
    const lastSeq = this.#seq;
    this.#snapshotRequested = false;
    if (batch.length > 0) {
      try {
        // a synchronous write only copies into the page cache (microseconds); the wait is the
        // data sync, on the thread pool. A write may take less than asked (a disk filling up, a
        // file size limit): the rest goes in the next write, which then throws if nothing fits.
        for (let at = 0; at < bytes.length;) {
          const written = writeSync(this.#journal.fd, bytes, at);
          if (written === 0) throw new Error('the journal took no bytes');
          at += written;
        }
        await this.#journal.datasync();
      } catch (error) {
        this.#stop(error);
        for (const p of batch) p.failed(this.#failure);
        return;
      }
      this.#journalBytes += bytes.length;
      for (const p of batch) p.done();
      this.#sinceSnapshot += batch.length;
    }
    if (stateText !== undefined) {
      // a snapshot that cannot be written loses nothing (the journal still holds every record):
      // carry on, and try again after as many records more
      await this.#writeSnapshot(stateText, lastSeq).catch((error) => {
        this.#sinceSnapshot = 0;
        this.#snapshotError = error;
      });
    }
  }

  /** Cuts the journal back to its last whole batch and refuses everything after. */
  #stop(cause: unknown): void {
    try {
      ftruncateSync(this.#journal.fd, this.#journalBytes);
      fdatasyncSync(this.#journal.fd); // else a power cut could bring back the batch answered 500
    } catch {
      // nothing more can be done on a disk that refuses this too: a batch whose write went through
      // whole (its sync failed) stays, and a restart replays it, answered 500 though it was; a
      // batch cut short is dropped on start as a tear
    }
    this.#failure = new DurableStateError(`The journal could not be written (${(cause as Error)?.message ?? cause}). ` +
      'The state on disk holds every acknowledged change: fix the cause and restart.');
    this.#reportFailure(this.#failure);
  }

  /** Syncs what is pending, then writes the whole state as a new snapshot and starts an empty journal. */
  snapshot(): Promise<void> {
    return this.#serial(async () => {
      this.#snapshotRequested = true;
      this.#snapshotError = undefined;
      await this.#flush();
      if (this.#failure) throw this.#failure;
      if (this.#snapshotError !== undefined) throw this.#snapshotError;
    });
  }

  /**
   * Writes `stateText` (the state holding exactly the records up to `lastSeq`, all of them
   * synced) as the snapshot, then empties the journal: every record in it is <= lastSeq, since
   * later ones wait in #pending until the next flush, which runs after this.
   */
  async #writeSnapshot(stateText: string, lastSeq: number): Promise<void> {
    if (this.#failure) throw this.#failure;
    // the state is serialised once: the checksum covers exactly the text embedded in the document
    const sha256 = createHash('sha256').update(stateText).digest('hex');
    const docText = `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"lastSeq":${lastSeq},"sha256":"${sha256}","state":${stateText}}`;
    const target = path.join(this.#dir, SNAPSHOT);
    const temp = path.join(this.#dir, SNAPSHOT_TEMP);
    try {
      await fs.writeFile(temp, docText);
      await fsyncPath(temp);
      await fs.rename(temp, target);
    } catch (error) {
      // give back what was written: on a full disk a partial temp file takes the room the journal needs
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    await fsyncPath(this.#dir);
    this.#snapshotBytes = Buffer.byteLength(docText);
    await this.#journal.truncate(0);
    this.#journalBytes = 0;
    await this.#journal.sync();
    this.#sinceSnapshot = 0;
  }

  /** Finishes pending appends and closes the journal. */
  async close(): Promise<void> {
    try {
      await this.#serial(() => this.#flush());
      await this.#journal.close();
    } finally {
      await this.#release();
    }
  }
}
