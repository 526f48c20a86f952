import { TestApp } from '../support/app';
import { caseBody } from '../support/factories';
import { OwnRedis } from '../support/own-services';

/**
 * A Redis that accepts connections but answers nothing (SIGSTOP: a frozen or swapping host)
 * never holds an API request past its timeout (issue 14, "Faults"). Case work does not need
 * Redis at all: the rate limit gives up after 300 ms and lets the request through. The health
 * probe gives up after 1.5 s and answers 503 naming Redis; the queue page after 5 s per queue,
 * answering what PostgreSQL knows.
 */
const BUDGET_MS = {
  /** On top of the same requests with Redis answering: the rate limit's 300 ms, and slack for a busy machine. */
  caseWorkExtra: 1_000,
  health: 2_500,
  queues: 6_500,
};

/** How long /api/health reuses one probe (src/health/health.controller.ts). */
const HEALTH_PROBE_CACHE_MS = 1_000;

describe('faults: Redis stalls every command', () => {
  let redis: OwnRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await OwnRedis.create(false);
    await redis.start();
    t = await TestApp.start({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.dispose();
  });

  async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
    const started = Date.now();
    const result = await run();
    return { ms: Date.now() - started, result };
  }

  it('answers case work, health and the queue page within their timeouts, and serves normally once Redis wakes up', async () => {
    const officer = await t.login('officer@be-police.test');
    const admin = await t.login('admin@platform.test');
    expect((await t.get('/api/health')).status).toBe(200);
    const healthyProbeAt = Date.now();

    // Ten case requests at once: none waits behind another's Redis call.
    const tenCaseRequests = () =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          timed(() => (i % 2 === 0 ? t.post<{ id: string }>('/api/cases', caseBody(), officer) : t.get('/api/cases?limit=5', officer))),
        ),
      );
    const baseline = Math.max(...(await tenCaseRequests()).map(({ ms }) => ms));

    redis.pause();
    try {
      const caseWork = await tenCaseRequests();
      // /api/health reuses a probe for a second: ask once the healthy answer above has expired.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, HEALTH_PROBE_CACHE_MS + 100 - (Date.now() - healthyProbeAt))));
      const health = await timed(() => t.get<{ redis: string; db: string }>('/api/health'));
      const queues = await timed(() => t.get<{ queues: Array<{ counts: unknown; error?: string }> }>('/api/admin/queues', admin));

      expect(caseWork.map(({ result }) => result.status).sort()).toEqual([200, 200, 200, 200, 200, 201, 201, 201, 201, 201]);
      expect(Math.max(...caseWork.map(({ ms }) => ms))).toBeLessThan(baseline + BUDGET_MS.caseWorkExtra);
      expect(health.result.status).toBe(503);
      expect(health.result.body).toMatchObject({ db: 'up', redis: 'down' });
      expect(health.ms).toBeLessThan(BUDGET_MS.health);
      expect(queues.result.status).toBe(200);
      expect(queues.result.body.queues.every((queue) => queue.counts === null && queue.error !== undefined)).toBe(true);
      expect(queues.ms).toBeLessThan(BUDGET_MS.queues);
      process.stdout.write(
        `redis stall: case work ≤ ${Math.max(...caseWork.map(({ ms }) => ms))} ms (${baseline} ms with Redis answering), health ${health.ms} ms (503), queue page ${queues.ms} ms\n`,
      );
    } finally {
      redis.resume();
    }

    const after = await timed(() => t.get('/api/health'));
    expect(after.result.status).toBe(200);
    expect((await t.post('/api/cases', caseBody(), officer)).status).toBe(201);
  }, 60_000);
});
