import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { JOB_NAMES, type JobName, type JobPayloads } from './job-name';

export interface JobContext {
  job: Job;
  /** The worker's lock token, needed to move the job (e.g. back to delayed). */
  token?: string;
  /** True when a failure now is final: no retry follows. */
  finalAttempt: boolean;
}

export interface JobHandler<N extends JobName> {
  handle(payload: JobPayloads[N], context: JobContext): Promise<void>;
}

/** Discoverable marker; apply it through HandlesJob so the class is checked against the job's payload type. */
export const JOB_HANDLER = DiscoveryService.createDecorator<JobName>();

/** Declares the one job a provider handles. The worker refuses to start unless every job has exactly one. */
export function HandlesJob<N extends JobName>(name: N) {
  return <T extends abstract new (...args: never[]) => JobHandler<N>>(target: T): void => {
    JOB_HANDLER(name)(target);
  };
}

export interface DiscoveredHandler {
  job: JobName;
  handler: JobHandler<JobName>;
  className: string;
}

/** Every job name mapped to its single handler; throws naming each job without one or with several. */
export function buildHandlerRegistry(found: readonly DiscoveredHandler[]): Map<JobName, JobHandler<JobName>> {
  const byJob = new Map<JobName, DiscoveredHandler[]>();
  for (const entry of found) byJob.set(entry.job, [...(byJob.get(entry.job) ?? []), entry]);
  const problems: string[] = [];
  for (const job of JOB_NAMES) {
    const handlers = byJob.get(job) ?? [];
    if (handlers.length === 0) problems.push(`no handler for job "${job}"`);
    if (handlers.length > 1) problems.push(`${handlers.length} handlers for job "${job}" (${handlers.map((h) => h.className).join(', ')})`);
  }
  const unknown = [...byJob.keys()].filter((job) => !JOB_NAMES.includes(job));
  if (unknown.length > 0) problems.push(`handlers for unknown jobs: ${unknown.join(', ')}`);
  if (problems.length > 0) throw new Error(`job handlers: ${problems.join('; ')}`);
  return new Map([...byJob].map(([job, handlers]) => [job, handlers[0]!.handler]));
}
