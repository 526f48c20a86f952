import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { LOCKOUT_WINDOW_SECONDS } from '../src/auth/auth.service';
import { LoginFailureRetention } from '../src/auth/login-failure-retention';
import { dataSourceOf, NotificationsStack, waitFor } from './notifications.support';

/** Issue 14: login_failure must not grow without bound; rows older than the lockout window decide nothing. */
describe('login failure retention', () => {
  let stack: NotificationsStack;
  let worker: INestApplicationContext;
  let db: DataSource;

  beforeAll(async () => {
    stack = await NotificationsStack.create('loginfailures');
    worker = await stack.startWorker();
    db = dataSourceOf(worker);
  });
  afterAll(() => stack.close());

  const rowsOf = async (prefix: string): Promise<string[]> =>
    ((await db.query(`SELECT email FROM login_failure WHERE email LIKE $1 ORDER BY email`, [`${prefix}%`])) as Array<{ email: string }>).map(
      (row) => row.email,
    );

  async function failures(prefix: string): Promise<void> {
    // A thousand addresses tried once, long ago (as a password spray leaves them), and one attempt inside the window.
    await db.query(
      `INSERT INTO login_failure (email, at) SELECT $1 || 'old-' || i || '@example.test', now() - make_interval(secs => $2 + i) FROM generate_series(1, 1000) i`,
      [prefix, LOCKOUT_WINDOW_SECONDS],
    );
    await db.query(`INSERT INTO login_failure (email, at) VALUES ($1 || 'recent@example.test', now() - make_interval(secs => $2 - 60))`, [
      prefix,
      LOCKOUT_WINDOW_SECONDS,
    ]);
  }

  it('deletes the rows older than the lockout window and keeps those inside it', async () => {
    await failures('prune-');
    expect(await worker.get(LoginFailureRetention).prune()).toBeGreaterThanOrEqual(1000);
    expect(await rowsOf('prune-')).toEqual(['prune-recent@example.test']);
  });

  it('is run by the worker on its own, from start-up on', async () => {
    await failures('startup-');
    const second = await stack.startWorker();
    await waitFor('the new worker to prune', async () => (await rowsOf('startup-')).length === 1, 15_000);
    expect(await rowsOf('startup-')).toEqual(['startup-recent@example.test']);
    await stack.stopWorker(second);
  });
});
