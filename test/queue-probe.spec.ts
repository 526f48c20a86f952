import { loadConfig } from '../src/config/config';
import { QueueService } from '../src/queue/queue.service';
import { JobName } from '../src/queue/job-name';

it('probe', async () => {
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://x@127.0.0.1/x', ...JSON.parse(process.env.PASSAGE_TEST_KEYS!) });
  const q = new QueueService(config);
  let t = Date.now();
  await q.add(JobName.SendEmail, { notificationId: 'a' }).catch((e: Error) => console.log('add failed', e.message, Date.now() - t));
  t = Date.now();
  await q.onApplicationShutdown();
  console.log('shutdown', Date.now() - t);
  await new Promise((r) => setTimeout(r, 500));
  const h = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  console.log('handles', h.map((x) => x.constructor.name + ' ' + String((x as {spawnfile?: string; spawnargs?: string[]}).spawnargs) + ' ' + ((x as {remotePort?: number}).remotePort ?? '')));
});
