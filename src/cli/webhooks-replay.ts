import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/config';
import { createDataSource } from '../database/data-source';
import { replayDeadDeliveries } from '../notifications/webhook-replay';
import { QueueService } from '../queue/queue.service';

const USAGE = 'usage: npm run webhooks:replay -- [--organisation <id>] [--webhook <id>] [--delivery <id>] [--since <ISO time>]';

/** Replays dead-lettered webhook deliveries (all, or those matching the options). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) throw new Error('set DATABASE_URL (and REDIS_URL unless Redis runs on 127.0.0.1:6379)');
  const { values } = parseArgs({
    options: {
      organisation: { type: 'string' },
      webhook: { type: 'string' },
      delivery: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const since = values.since ? new Date(values.since) : undefined;
  if (since && Number.isNaN(since.getTime())) throw new Error(`--since is not a time: ${values.since}`);
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  const queues = new QueueService(config);
  try {
    const replayed = await replayDeadDeliveries(dataSource, queues, {
      organisationId: values.organisation,
      webhookId: values.webhook,
      deliveryId: values.delivery,
      since,
    });
    process.stdout.write(`replayed ${replayed} dead-lettered webhook deliver${replayed === 1 ? 'y' : 'ies'}\n`);
  } finally {
    await queues.onApplicationShutdown();
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: webhook replay failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
});
