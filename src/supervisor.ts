import { type ChildProcess, fork } from 'node:child_process';

export interface SupervisedProcess {
  /** The script to fork, e.g. dist/src/worker.js. */
  script: string;
  /** Its name in the log. */
  name: string;
}

export interface SupervisorOptions {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** First restart delay; each quick crash doubles it, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A child that ran this long before crashing is restarted after `backoffMs` again. */
  stableAfterMs: number;
  /** How long a child may take to stop on SIGTERM before it is killed. */
  stopTimeoutMs: number;
}

interface Slot {
  spec: SupervisedProcess;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs the API and the worker as child processes and keeps them running: a child that dies
 * (crash, SIGKILL, out of memory) is restarted with exponential backoff while the others go on
 * serving, and the log says what happened and when the restart comes. `stop` ends them all.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(
    specs: readonly SupervisedProcess[],
    private readonly options: SupervisorOptions,
  ) {
    this.slots = specs.map((spec) => ({ spec, startedAt: 0, failures: 0 }));
  }

  start(): void {
    for (const slot of this.slots) this.launch(slot);
  }

  private launch(slot: Slot): void {
    slot.restartTimer = undefined;
    const child = fork(slot.spec.script, [], { env: this.options.env, stdio: 'inherit' });
    slot.child = child;
    slot.startedAt = Date.now();
    this.options.log(`${slot.spec.name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      if (slot.child === child) slot.child = undefined;
      if (this.stopping) return;
      const ranMs = Date.now() - slot.startedAt;
      slot.failures = ranMs >= this.options.stableAfterMs ? 1 : slot.failures + 1;
      const delay = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (slot.failures - 1));
      this.options.log(
        `${slot.spec.name} (pid ${child.pid}) exited (${signal ?? `code ${code}`}) after ${(ranMs / 1000).toFixed(1)} s; ` +
          `restarting it in ${(delay / 1000).toFixed(1)} s (restart ${slot.failures}); the other processes keep running`,
      );
      slot.restartTimer = setTimeout(() => this.launch(slot), delay);
    });
  }

  /** SIGTERM to every child, SIGKILL to any still running after the timeout; no more restarts. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    await Promise.all(
      this.slots.map(async (slot) => {
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/**
 * In a process forked by the supervisor: stop (closing the application) when the supervisor is
 * gone, however it died, so no API or worker is left running without it.
 */
export function exitWithLauncher(close: () => Promise<void>): void {
  if (!process.connected) return;
  process.once('disconnect', () => {
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}
