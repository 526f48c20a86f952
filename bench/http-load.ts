import { loadavg } from 'node:os';
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { average: number; p50: number; p97_5: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  connections: number;
  /** One-minute load average at the end of the run: on a shared machine, the competition for the cores. */
  loadAverage: number;
}

export interface LoadOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

/**
 * Drives one URL with autocannon from a worker thread (so the load generator does not compete
 * with the server for this process's event loop): an unmeasured warm-up, then the measured run.
 */
export async function measure(url: string, token: string, options: LoadOptions): Promise<LoadResult> {
  const base = { url, connections: options.connections, workers: 1, timeout: 30, headers: { authorization: `Bearer ${token}` } };
  if (options.warmupSeconds > 0) await autocannon({ ...base, duration: options.warmupSeconds });
  const result = await autocannon({ ...base, duration: options.durationSeconds });
  // autocannon stops at the deadline with requests still in flight: let the server finish them before anything else runs.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return {
    requestsPerSecond: result.requests.average,
    latencyMs: { average: result.latency.average, p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: options.durationSeconds,
    connections: options.connections,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}
