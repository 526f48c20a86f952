import { PassThrough } from 'node:stream';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '../access/principal';
import { PrincipalLoader } from '../auth/principal.loader';
import { InboxService } from './inbox.service';
import { InboxSignals } from './inbox-signals';

/** A comment line this often keeps proxies and the browser from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** How often a stream re-checks its session, so sign-out and deactivation end it within the product's 10 s. */
export const SESSION_CHECK_MS = 4_000;
/** Tabs are cheap to open; a user holds at most this many streams per API process, the oldest giving way. */
export const MAX_STREAMS_PER_USER = 8;

export type StreamEndReason = 'expired' | 'signed-out' | 'replaced' | 'shutdown';

/**
 * One open `GET /api/notifications/stream`: Server-Sent Events carrying the caller's unread count
 * and nothing else (`event: unread`, `data: {"unread":3}`), sent at once and whenever the inbox
 * changes. It ends (`event: end`, `data: {"reason":…}`) when the access token expires or the
 * session ends, so a stream never outlives the right to read the inbox.
 */
class InboxStream {
  readonly body = new PassThrough();
  private readonly timers: NodeJS.Timeout[] = [];
  private sending = false;
  private dirty = false;
  private closed = false;
  private unsubscribe: () => void = () => undefined;

  constructor(
    readonly principal: Principal,
    private readonly count: () => Promise<number>,
    private readonly sessionLive: () => Promise<boolean>,
    private readonly onClose: (stream: InboxStream) => void,
  ) {}

  start(signals: InboxSignals, expiresAt: number): void {
    this.body.on('close', () => this.dispose());
    this.write('retry: 3000\n\n');
    this.unsubscribe = signals.subscribe(this.principal.userId, () => void this.push());
    this.timers.push(
      setInterval(() => {
        this.write(': keep-alive\n\n');
        // A count that could not be read (database briefly away) is tried again here.
        if (this.dirty && !this.sending) void this.push();
      }, HEARTBEAT_MS),
      setInterval(() => void this.checkSession(), SESSION_CHECK_MS),
      setTimeout(() => this.end('expired'), Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1)),
    );
    void this.push();
  }

  /** Sends the current count; bursts of changes while a read is under way coalesce into one more read. */
  async push(): Promise<void> {
    if (this.closed) return;
    if (this.sending) {
      this.dirty = true;
      return;
    }
    this.sending = true;
    this.dirty = false;
    try {
      const unread = await this.count();
      this.write(`event: unread\ndata: ${JSON.stringify({ unread })}\n\n`);
    } catch {
      this.dirty = true;
      return;
    } finally {
      this.sending = false;
    }
    if (this.dirty) void this.push();
  }

  end(reason: StreamEndReason): void {
    if (this.closed) return;
    this.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    this.body.end();
    this.dispose();
  }

  private async checkSession(): Promise<void> {
    const live = await this.sessionLive().catch(() => true);
    if (!live) this.end('signed-out');
  }

  private write(chunk: string): void {
    if (!this.closed && !this.body.destroyed) this.body.write(chunk);
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.unsubscribe();
    this.onClose(this);
  }
}

/** The open inbox streams of this API process. */
@Injectable()
export class InboxStreams implements OnModuleDestroy {
  private readonly logger = new Logger(InboxStreams.name);
  private readonly byUser = new Map<string, InboxStream[]>();

  constructor(
    private readonly inbox: InboxService,
    private readonly signals: InboxSignals,
    private readonly principals: PrincipalLoader,
  ) {}

  /** Opens a stream for the principal until `expiresAt` (ms since the epoch, the access token's expiry). */
  open(principal: Principal, expiresAt: number): PassThrough {
    const stream = new InboxStream(
      principal,
      () => this.inbox.unreadCount(principal.userId),
      async () => (await this.principals.load(principal.userId, principal.sessionId)) !== undefined,
      (closed) => this.forget(closed),
    );
    const streams = this.byUser.get(principal.userId) ?? [];
    streams.push(stream);
    this.byUser.set(principal.userId, streams);
    for (const oldest of streams.slice(0, Math.max(0, streams.length - MAX_STREAMS_PER_USER))) oldest.end('replaced');
    stream.start(this.signals, expiresAt);
    return stream.body;
  }

  get size(): number {
    let total = 0;
    for (const streams of this.byUser.values()) total += streams.length;
    return total;
  }

  /** Ends every stream, so shutting down does not wait for browsers to hang up. */
  onModuleDestroy(): void {
    const all = [...this.byUser.values()].flat();
    if (all.length > 0) this.logger.debug(`ending ${all.length} inbox streams`);
    for (const stream of all) stream.end('shutdown');
  }

  private forget(stream: InboxStream): void {
    const streams = this.byUser.get(stream.principal.userId);
    if (!streams) return;
    const rest = streams.filter((other) => other !== stream);
    if (rest.length > 0) this.byUser.set(stream.principal.userId, rest);
    else this.byUser.delete(stream.principal.userId);
  }
}
