import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** PostgreSQL channel on which a user's inbox changes are announced; the payload is the user's id, nothing else. */
export const INBOX_CHANNEL = 'inbox_changed';
const RECONNECT_MS = 2_000;

/**
 * Announces, inside the caller's transaction, that these users' inboxes changed. NOTIFY is sent at
 * commit and dropped on rollback, so a stream never reports a row that does not exist.
 */
export async function announceInboxChange(db: DataSource | EntityManager, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(`SELECT ${announcement('u')} FROM unnest($1::uuid[]) AS u`, [userIds]);
}

/**
 * The select-list expression announcing the user of each row a query returns (`userIdColumn`, a
 * uuid), for a statement that reads rows and announces them in one round trip. Same rule: sent at commit.
 */
export function announcement(userIdColumn: string): string {
  return `pg_notify('${INBOX_CHANNEL}', ${userIdColumn}::text) AS announced`;
}

type Listener = () => void;

/**
 * The API process's side of the live inbox: one LISTEN connection, opened when the first stream
 * subscribes, that wakes the streams of the user a NOTIFY names. Announcements lost while the
 * connection is down are made up for on reconnect by waking every stream (they re-read their count).
 */
@Injectable()
export class InboxSignals implements OnModuleDestroy {
  private readonly logger = new Logger(InboxSignals.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private client?: Client;
  private connecting?: Promise<void>;
  private reconnect?: NodeJS.Timeout;
  private stopped = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Calls `listener` whenever the user's inbox may have changed; returns the unsubscribe function. */
  subscribe(userId: string, listener: Listener): () => void {
    const set = this.listeners.get(userId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(userId, set);
    if (!this.client && !this.reconnect) this.connecting ??= this.connect();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private wake(userId: string | undefined): void {
    const sets = userId === undefined ? [...this.listeners.values()] : [this.listeners.get(userId.toLowerCase()) ?? new Set<Listener>()];
    for (const set of sets) for (const listener of [...set]) listener();
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url, application_name: 'passage-inbox-listener' });
    client.on('notification', (message) => this.wake(message.payload));
    client.on('error', () => undefined); // 'end' follows and schedules the reconnect
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${INBOX_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.wake(undefined);
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'inbox LISTEN connection failed; retrying');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    } finally {
      this.connecting = undefined;
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.connecting ??= this.connect();
    }, RECONNECT_MS);
  }
}
