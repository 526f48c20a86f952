import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditSequencer } from '../src/audit/audit-sequencer';
import { AuditWitness } from '../src/audit/audit-witness';
import type { AppConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';

export interface IntegrationStats {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface CheckpointLag {
  /** Events written during the measured window, and how long each waited from its insert to the first signed checkpoint holding it. */
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events of the window still outside a checkpoint when it was measured (should be 0). */
  uncheckpointed: number;
}

/** The worker's sequencer, run by the bench on a connection pool of its own. */
export class BenchSequencer {
  private constructor(
    private readonly dataSource: DataSource,
    readonly sequencer: AuditSequencer,
  ) {}

  static async start(config: AppConfig, databaseUrl: string): Promise<BenchSequencer> {
    const dataSource = createDataSource(databaseUrl);
    await dataSource.initialize();
    return new BenchSequencer(dataSource, new AuditSequencer(dataSource, config, new AuditWitness(config)));
  }

  /** Integrates the whole backlog at once, as a worker does after being down: the sequencer's raw throughput. */
  async integrateBacklog(): Promise<IntegrationStats> {
    const [before] = await this.treeSize();
    const started = performance.now();
    await this.sequencer.catchUp();
    const seconds = (performance.now() - started) / 1000;
    const [after] = await this.treeSize();
    const events = after! - before!;
    return { events, seconds, eventsPerSecond: events / seconds };
  }

  /** Sequences every 100 ms and signs a checkpoint a second, as in the worker. */
  run(): void {
    this.sequencer.onApplicationBootstrap();
  }

  async stop(): Promise<void> {
    await this.sequencer.onApplicationShutdown();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.dataSource.destroy();
  }

  private async treeSize(): Promise<number[]> {
    const rows: Array<{ size: number }> = await this.dataSource.query(`SELECT tree_size::float8 AS size FROM audit_log_state`);
    return [rows[0]!.size];
  }
}

/** Commit-to-checkpoint delay of every event written since `from`, from the rows themselves. */
export async function checkpointLagSince(client: Client, from: Date): Promise<CheckpointLag> {
  const result = await client.query<{ events: number; p50: number | null; p99: number | null; max: number | null; uncheckpointed: number }>(
    `WITH lag AS (
       SELECT extract(epoch FROM ((SELECT c.signed_at FROM audit_log_checkpoint c WHERE c.tree_size > l.log_index ORDER BY c.tree_size LIMIT 1) - e.at)) * 1000 AS ms
         FROM audit_event e LEFT JOIN audit_log_entry l ON l.event_id = e.id
        WHERE e.at >= $1)
     SELECT count(*)::int AS events, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
            max(ms)::float8 AS max, count(*) FILTER (WHERE ms IS NULL)::int AS uncheckpointed
       FROM lag`,
    [from],
  );
  const row = result.rows[0]!;
  return { events: row.events, p50Ms: row.p50 ?? NaN, p99Ms: row.p99 ?? NaN, maxMs: row.max ?? NaN, uncheckpointed: row.uncheckpointed };
}
