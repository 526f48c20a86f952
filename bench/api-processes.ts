import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** What a child process needs to build the same application configuration as the bench process. */
export interface AppLaunch {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Secrets and overrides given to benchAppConfig, so every process signs and checks the same tokens. */
  appEnv: Record<string, string>;
}

export type ApiVariant = 'audited' | 'no-audit';

export interface BenchProcess {
  url?: string;
  pid: number;
  /** The underlying child, for bench-specific messages (api-child's 'capture'). */
  child: ChildProcess;
  close(): Promise<void>;
}

/** Starts a bench child (`api-child.js` or `sequencer-child.js`) and waits for its "ready" message. */
function startChild(script: string, launch: AppLaunch, extraEnv: Record<string, string>, execArgv: string[] = []): Promise<BenchProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(join(__dirname, script), [], {
      env: { ...process.env, BENCH_CHILD_LAUNCH: JSON.stringify(launch), ...extraEnv },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const close = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.send('close');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    };
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.once('message', (message: { ready: true; url?: string }) => resolve({ url: message.url, pid: child.pid!, child, close }));
  });
}

/** One API process (createHttpApp, or the no-audit variant) listening on a port of its own on 127.0.0.1. */
export function startApiProcess(launch: AppLaunch, variant: ApiVariant, options: { capture?: boolean; cpuProfileDir?: string } = {}): Promise<BenchProcess> {
  const env: Record<string, string> = { BENCH_API_VARIANT: variant };
  if (options.capture) env.BENCH_PG_CAPTURE = '1';
  // --cpu-prof writes the profile when the child exits (on 'close').
  const execArgv = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  return startChild('api-child.js', launch, env, execArgv);
}

/** The worker's audit sequencer alone in a process, as in production (the worker, not the API, pays for it). */
export function startSequencerProcess(launch: AppLaunch): Promise<BenchProcess> {
  return startChild('sequencer-child.js', launch, {});
}
