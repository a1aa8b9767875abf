import { mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { UsageBatchJob } from '@keywarden/core';

const SEGMENT = /^usage-(\d{12})\.jsonl$/;
const LOCK_FILE = 'LOCK';
const segmentName = (seq: number) => `usage-${String(seq).padStart(12, '0')}.jsonl`;

interface Segment {
  seq: number;
  bytes: number;
}

/** The batches of the oldest segment, read for replay, and how many of them are published. */
interface Head {
  seq: number;
  jobs: UsageBatchJob[];
  published: number;
}

export interface SpoolAppend {
  /** false: the batch would take the spool past its size cap; nothing was written. */
  written: boolean;
  bytes: number;
}

/**
 * A bounded, append-only disk spool of usage batches, for while Redis cannot take them.
 * Each batch is one JSON line appended to the newest segment file and fsync'd (fdatasync)
 * before `append` resolves, so a batch that left memory is on disk. Segments roll over at
 * `segmentBytes`; replay reads the oldest closed segment, hands out its batches in the
 * order they were written, and deletes the file once all of them are published. A crash
 * between publishing and deleting replays the segment again: the batches keep their
 * batchId, which the worker applies once. A torn last line (a crash during a write) is
 * skipped and counted. One process owns a directory (a LOCK file naming its pid).
 */
/**
 * Creates a directory and its missing parents. Not Node's `mkdir(…, { recursive: true })`:
 * where a parent exists but refuses new entries (anywhere under /proc, which answers
 * ENOENT to every attempt) that one retries forever, and the API would hang at start
 * instead of saying why it cannot spool.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

export class UsageSpool {
  private readonly segments: Segment[] = [];
  private current?: { seq: number; handle: FileHandle };
  private head?: Head;
  private nextSeq = 1;
  private totalBytes = 0;
  /** Lines that could not be read back (torn by a crash), since start. */
  unreadable = 0;

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (creating) the directory, takes its lock, and finds what an earlier run left. */
  static async open(dir: string, maxBytes: number): Promise<UsageSpool> {
    const spool = new UsageSpool(resolve(dir), maxBytes, Math.min(8 * 1024 * 1024, Math.max(4096, Math.floor(maxBytes / 8))));
    await makeDirectory(spool.dir);
    await spool.lock();
    for (const name of (await readdir(spool.dir)).sort()) {
      const match = SEGMENT.exec(name);
      if (!match) continue;
      const { size } = await stat(join(spool.dir, name));
      spool.segments.push({ seq: Number(match[1]), bytes: size });
      spool.totalBytes += size;
    }
    spool.nextSeq = (spool.segments.at(-1)?.seq ?? 0) + 1;
    return spool;
  }

  /** Bytes on disk: batches waiting, and those of the segment being replayed. */
  get bytes(): number {
    return this.totalBytes;
  }

  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** Appends one batch and syncs it to disk, unless that would pass the size cap. */
  async append(job: UsageBatchJob): Promise<SpoolAppend> {
    const line = `${JSON.stringify(job)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.totalBytes + bytes > this.maxBytes) return { written: false, bytes };
    const tail = this.segments.at(-1);
    if (!this.current || (tail && tail.bytes >= this.segmentBytes)) await this.roll();
    const segment = this.segments.at(-1) as Segment;
    const { handle } = this.current as { handle: FileHandle };
    try {
      await handle.write(line);
      await handle.datasync();
    } catch (error) {
      // A write that failed half-way (a full disk) may leave a torn line: later batches
      // start a new segment rather than follow it, and replay skips the torn one.
      await this.closeCurrent().catch(() => undefined);
      throw error;
    }
    segment.bytes += bytes;
    this.totalBytes += bytes;
    return { written: true, bytes };
  }

  /** Up to `max` of the oldest batches not yet published, in the order they were written. */
  async peek(max: number): Promise<UsageBatchJob[]> {
    while (!this.head) {
      const oldest = this.segments[0];
      if (!oldest) return [];
      // The segment being appended to is closed first: replay reads only complete files.
      if (this.current?.seq === oldest.seq) await this.closeCurrent();
      const jobs = await this.readSegment(oldest.seq);
      if (jobs.length > 0) this.head = { seq: oldest.seq, jobs, published: 0 };
      else await this.dropOldest();
    }
    return this.head.jobs.slice(this.head.published, this.head.published + max);
  }

  /** The first `count` batches of the last `peek` are published; a finished segment is deleted. */
  async published(count: number): Promise<void> {
    const head = this.head as Head;
    head.published += count;
    if (head.published < head.jobs.length) return;
    this.head = undefined;
    await this.dropOldest();
  }

  /** Closes the open segment and gives up the directory; what is spooled stays for the next start. */
  async close(): Promise<void> {
    await this.closeCurrent();
    await unlink(join(this.dir, LOCK_FILE)).catch(() => undefined);
  }

  private async dropOldest(): Promise<void> {
    const [oldest] = this.segments.splice(0, 1);
    this.totalBytes -= oldest.bytes;
    await unlink(join(this.dir, segmentName(oldest.seq)));
  }

  private async roll(): Promise<void> {
    await this.closeCurrent();
    const seq = this.nextSeq++;
    const handle = await open(join(this.dir, segmentName(seq)), 'a');
    this.current = { seq, handle };
    this.segments.push({ seq, bytes: 0 });
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.handle.close();
  }

  private async readSegment(seq: number): Promise<UsageBatchJob[]> {
    const text = await readFile(join(this.dir, segmentName(seq)), 'utf8');
    const jobs: UsageBatchJob[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        jobs.push(JSON.parse(line) as UsageBatchJob);
      } catch {
        this.unreadable++;
      }
    }
    return jobs;
  }

  /** One process per directory: a live owner refuses the start, a dead one's lock is taken over. */
  private async lock(): Promise<void> {
    const path = join(this.dir, LOCK_FILE);
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
      throw new Error(`the usage spool directory ${this.dir} is in use by process ${owner}: give each API process a directory of its own`);
    }
    await writeFile(path, String(process.pid));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
