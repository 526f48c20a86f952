import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '../src/http';
import type { AppLaunch } from './api-processes';
import { createHttpAppWithoutAudit } from './no-audit-app';
import { installPgCapture } from './pg-capture';
import { benchAppConfig } from './settings';

/**
 * One API process of the bench (bench/api-processes.ts): the application as src/http.ts builds it,
 * or with the audit as a no-op, on a port of its own. Reports its URL, closes on "close" or when the
 * bench goes away.
 */
async function main(): Promise<void> {
  const raw = process.env.BENCH_CHILD_LAUNCH;
  const variant = process.env.BENCH_API_VARIANT;
  if (!raw || (variant !== 'audited' && variant !== 'no-audit') || !process.send) throw new Error('api-child runs from bench/api-processes.ts only');
  const launch = JSON.parse(raw) as AppLaunch;
  // Installed before the application opens its pool; costs one array push per statement while idle.
  const capture = process.env.BENCH_PG_CAPTURE === '1' ? installPgCapture() : undefined;
  const config = benchAppConfig(launch.databaseUrl, launch.redisUrl, launch.redisPrefix, launch.appEnv);
  const app: NestFastifyApplication =
    variant === 'audited' ? await createHttpApp(config, launch.databaseUrl) : await createHttpAppWithoutAudit(config, launch.databaseUrl);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const close = (): void => {
    void app.close().finally(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (message === 'close') close();
    // 'capture': the statements sent since the last one (bench/physical.ts asks around each captured request).
    else if (message === 'capture' && capture) process.send!({ captured: capture.take() });
  });
  process.on('disconnect', close);
  process.send({ ready: true, url });
}

main().catch((error: unknown) => {
  process.stderr.write(`api-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
