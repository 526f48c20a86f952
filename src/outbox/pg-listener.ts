import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

const RECONNECT_MS = 2_000;

/**
 * One LISTEN connection for the worker's loops. A NOTIFY only shortens their wait; each loop also
 * polls, so a dropped connection costs latency, never an event. On every (re)connect the
 * handlers run once to catch up on what was sent meanwhile.
 */
@Injectable()
export class PgListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PgListener.name);
  private readonly handlers = new Map<string, Array<() => void>>();
  private client?: Client;
  private reconnect?: NodeJS.Timeout;
  private stopped = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listen(channel: string, handler: () => void): void {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
    void this.client?.query(`LISTEN ${channel}`).catch(() => undefined);
  }

  onApplicationBootstrap(): void {
    void this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const options = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url, application_name: 'passage-listener' });
    client.on('notification', (message) => this.handlers.get(message.channel)?.forEach((handler) => handler()));
    client.on('error', () => undefined); // 'end' follows and schedules the reconnect
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      for (const handlers of this.handlers.values()) handlers.forEach((handler) => handler());
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'LISTEN connection failed; polling until it is back');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.connect();
    }, RECONNECT_MS);
  }
}
