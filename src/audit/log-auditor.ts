import { leafHash, MerkleFrontier } from './merkle';
import { type NoteVerifier, openNote, parseCheckpointBody, parseRetentionBody } from './signed-note';

/** At most this many breaks are reported; verification still walks the whole log. */
export const MAX_BREAKS = 1_000;

export interface AuditBreak {
  /** The event concerned, when one can be named. */
  eventId: string | null;
  /** Its index in the log (or the first index of the range concerned). */
  index: string | null;
  reason: string;
}

export interface AuditVerification {
  valid: boolean;
  /** Log entries checked. */
  checked: number;
  /** Size of the log verified, and of the newest signed checkpoint that vouches for it. */
  treeSize: string;
  checkpointSize: string;
  breaks: AuditBreak[];
  /** More breaks were found than are listed. */
  truncated?: boolean;
}

export interface LeafInput {
  index: bigint;
  eventId: string;
  /** The leaf hash the log stores for this index. */
  storedLeaf: Buffer;
  /**
   * The event's canonical entry as stored now (bytes, or text hashed as UTF-8), or its leaf hash
   * already recomputed from the row by the database; null when the event row is gone.
   */
  entry: Buffer | string | { leafHash: Buffer } | null;
}

type CheckpointSource = 'database' | 'witness' | 'retention';

interface ComparisonPoint {
  size: bigint;
  root: Buffer;
  source: CheckpointSource;
  /** The signed note, checked lazily: only when its root disagrees, or for the newest one. */
  note: string;
  /** Already reported as not signed. */
  forged?: boolean;
}

/**
 * Checks a log entry by entry against what was signed, without touching a database, so the API,
 * the CLI and the offline verifier share it. Memory holds the Merkle frontier and the pending
 * checkpoints of the current batch, whatever the log's length.
 *
 * - each event is compared with its leaf hash (edited or reordered events are named);
 * - an entry whose event is gone is named, unless a signed retention record covers it;
 * - the tree recomputed from the leaf hashes must give every checkpoint's root (database and
 *   witness alike): a mismatch means leaf hashes were rewritten, or the checkpoint forged;
 * - the newest checkpoint's signature must hold: it vouches for everything before it.
 */
export class LogAuditor {
  private readonly frontier = MerkleFrontier.empty();
  private readonly breaks: AuditBreak[] = [];
  private truncated = false;
  private pending: ComparisonPoint[] = [];
  /** pending[head..] are still to be compared. */
  private head = 0;
  private checked = 0;
  private lastGoodSize = 0n;
  private retainedThrough = 0n;
  private gap = false;
  private newest?: ComparisonPoint;

  constructor(
    private readonly verifier: NoteVerifier,
    private readonly origin: string,
  ) {}

  report(item: AuditBreak): void {
    if (this.breaks.length < MAX_BREAKS) this.breaks.push(item);
    else this.truncated = true;
  }

  /** Signed retention records: entries below the newest genuine one may have lost their events. */
  retention(notes: readonly string[]): void {
    for (const note of notes) {
      const body = openNote(note, this.verifier);
      const record = body === undefined ? undefined : parseRetentionBody(body, this.origin);
      if (!record) {
        this.report({ eventId: null, index: null, reason: 'a retention record is not signed with the log key: it was forged or altered' });
        continue;
      }
      if (record.throughSize > this.retainedThrough) this.retainedThrough = record.throughSize;
      this.addPoint({ size: record.checkpointSize, root: record.rootHash, source: 'retention', note });
    }
  }

  /** A checkpoint note from the database or the witness; compared when the walk reaches its size. */
  checkpoint(note: string, source: 'database' | 'witness', stored?: { size: bigint; root: Buffer }): void {
    const parsed = parseCheckpointBody(note.slice(0, Math.max(0, note.lastIndexOf('\n\n') + 1)));
    if (!parsed || parsed.origin !== this.origin) {
      if (source === 'database')
        this.report({ eventId: null, index: stored?.size.toString() ?? null, reason: 'a stored checkpoint is not a checkpoint of this log' });
      return;
    }
    if (stored && (stored.size !== parsed.treeSize || !stored.root.equals(parsed.rootHash))) {
      this.report({ eventId: null, index: stored.size.toString(), reason: `the checkpoint stored at size ${stored.size} holds a note for another tree` });
    }
    this.addPoint({ size: parsed.treeSize, root: parsed.rootHash, source, note });
  }

  private addPoint(point: ComparisonPoint): void {
    if (point.size <= this.frontier.treeSize && point.size > 0n) {
      this.compare(point);
      return;
    }
    // Points mostly arrive in order: append, else insert in place (binary search).
    let at = this.pending.length;
    if (at > this.head && this.pending[at - 1]!.size > point.size) {
      let low = this.head;
      while (low < at) {
        const mid = (low + at) >> 1;
        if (this.pending[mid]!.size <= point.size) low = mid + 1;
        else at = mid;
      }
    }
    this.pending.splice(at, 0, point);
  }

  leaf(input: LeafInput): void {
    if (input.index !== this.frontier.treeSize) {
      if (!this.gap) {
        this.report({
          eventId: null,
          index: this.frontier.treeSize.toString(),
          reason: `log entries ${this.frontier.treeSize} to ${input.index - 1n} are missing: the log was cut, roots cannot be recomputed past it`,
        });
      }
      this.gap = true;
      return;
    }
    this.checked += 1;
    if (input.entry === null) {
      if (input.index >= this.retainedThrough) {
        this.report({
          eventId: input.eventId,
          index: input.index.toString(),
          reason: 'the event was deleted: the log holds its entry, the table no longer holds the row',
        });
      }
    } else if (!(typeof input.entry === 'string' || Buffer.isBuffer(input.entry) ? leafHash(input.entry) : input.entry.leafHash).equals(input.storedLeaf)) {
      this.report({ eventId: input.eventId, index: input.index.toString(), reason: 'the event does not match its entry in the log: it was altered or moved' });
    }
    // The stored leaf carries the tree: whether leaf hashes were rewritten is for the checkpoints to say.
    this.frontier.append(input.storedLeaf);
    while (this.head < this.pending.length && this.pending[this.head]!.size <= this.frontier.treeSize) this.compare(this.pending[this.head++]!);
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private compare(point: ComparisonPoint): void {
    if (this.gap) return;
    if (point.size !== this.frontier.treeSize) {
      this.report({ eventId: null, index: point.size.toString(), reason: `a ${point.source} checkpoint of size ${point.size} arrived out of order` });
      return;
    }
    if (point.source !== 'witness' && (!this.newest || point.size >= this.newest.size)) this.newest = point;
    if (this.frontier.root().equals(point.root)) {
      if (point.size > this.lastGoodSize) this.lastGoodSize = point.size;
      return;
    }
    const signed = openNote(point.note, this.verifier) !== undefined;
    point.forged = !signed;
    const reason = signed
      ? `the log does not match the ${point.source}'s signed checkpoint of size ${point.size}: entries from ${this.lastGoodSize} to ${point.size - 1n} were rewritten`
      : `the ${point.source} checkpoint of size ${point.size} is not signed with the log key: it was forged or altered`;
    this.report({ eventId: null, index: (signed ? this.lastGoodSize : point.size).toString(), reason });
  }

  /** After the last leaf: what lies beyond the log, and the newest checkpoint's signature. */
  finish(): AuditVerification {
    for (const point of this.pending.slice(this.head)) {
      this.report({
        eventId: null,
        index: this.frontier.treeSize.toString(),
        reason: `a ${point.source} checkpoint vouches for ${point.size} entries but the log holds ${this.frontier.treeSize}: entries were removed from the end`,
      });
    }
    this.pending = [];
    this.head = 0;
    if (this.newest && !this.newest.forged && openNote(this.newest.note, this.verifier) === undefined) {
      this.report({
        eventId: null,
        index: this.newest.size.toString(),
        reason: `the newest checkpoint (size ${this.newest.size}) is not signed with the log key`,
      });
    }
    return {
      valid: this.breaks.length === 0,
      checked: this.checked,
      treeSize: this.frontier.treeSize.toString(),
      checkpointSize: (this.newest?.size ?? 0n).toString(),
      breaks: this.breaks,
      ...(this.truncated ? { truncated: true } : {}),
    };
  }
}
