import type { AppLaunch } from './api-processes';
import { BenchSequencer } from './audit-log';
import { benchAppConfig } from './settings';

/** The audit sequencer of the bench in a process of its own, as the worker runs it: every 100 ms, a checkpoint a second. */
async function main(): Promise<void> {
  const raw = process.env.BENCH_CHILD_LAUNCH;
  if (!raw || !process.send) throw new Error('sequencer-child runs from bench/api-processes.ts only');
  const launch = JSON.parse(raw) as AppLaunch;
  const config = benchAppConfig(launch.databaseUrl, launch.redisUrl, launch.redisPrefix, launch.appEnv);
  const sequencer = await BenchSequencer.start(config, launch.databaseUrl);
  sequencer.run();
  const close = (): void => {
    void sequencer.close().finally(() => process.exit(0));
  };
  process.on('message', (message) => message === 'close' && close());
  process.on('disconnect', close);
  process.send({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`sequencer-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
