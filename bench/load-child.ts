import { loadavg } from 'node:os';
import autocannon, { type Request, type Result } from 'autocannon';

/** What one load run sends: a named scenario over a pool of prepared inputs. */
export interface LoadSpec {
  url: string;
  scenario: ScenarioName;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  inputs: ScenarioInputs;
}

export type ScenarioName = 'list' | 'list_deep' | 'read' | 'update' | 'accept' | 'audit_query' | 'journey';

export interface ScenarioInputs {
  officerToken: string;
  supervisorToken: string;
  acceptorToken: string;
  listPath: string;
  deepPath: string;
  readCaseId: string;
  /** Cases updated (twice as many as connections, none by two requests at once), with their current version of the updated section. */
  updateCases: Array<{ id: string; version: number }>;
  section: string;
  sectionData: Record<string, unknown>;
  /** Cases referred (and the referral accepted) once each; this run uses them from `acceptOffset` on. */
  acceptCases: string[];
  acceptOffset: number;
  acceptTo: string;
  acceptPurpose: string;
}

export interface LoadRun {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  loadAverage: number;
  /** For accept: cases of the pool this run used (the next run starts after them). */
  acceptUsed: number;
}

interface Context {
  slot?: number;
  referralId?: string;
}

const json = { 'content-type': 'application/json' };

interface LoadState {
  /** Update cases no request is in flight for. */
  idle: number[];
  nextSlot: number;
  nextAccept: number;
}

/** The autocannon request sequence of a scenario; each connection repeats it. */
function requestsOf(spec: LoadSpec, state: LoadState): Request[] {
  const { inputs } = spec;
  const officer = { authorization: `Bearer ${inputs.officerToken}` };
  const update: Request = {
    method: 'PATCH',
    // A case no other connection is updating: autocannon resets a connection's context after each pass over the
    // sequence, so cases are lent from a shared idle list and returned, with their new version, on the answer.
    setupRequest: (request, context: Context) => {
      context.slot = state.idle.pop() ?? state.nextSlot++ % inputs.updateCases.length;
      const target = inputs.updateCases[context.slot]!;
      return {
        ...request,
        path: `/api/cases/${target.id}/sections/${inputs.section}`,
        headers: { ...officer, ...json },
        body: JSON.stringify({ version: target.version, data: inputs.sectionData }),
      };
    },
    onResponse: (status, body, context: Context) => {
      if (context.slot === undefined) return;
      if (status === 200) inputs.updateCases[context.slot]!.version = (JSON.parse(body) as { version: number }).version;
      state.idle.push(context.slot);
    },
  };
  const list: Request = { method: 'GET', path: inputs.listPath, headers: officer };
  const read: Request = { method: 'GET', path: `/api/cases/${inputs.readCaseId}`, headers: officer };
  switch (spec.scenario) {
    case 'list':
      return [list];
    case 'list_deep':
      return [{ method: 'GET', path: inputs.deepPath, headers: officer }];
    case 'read':
      return [read];
    case 'audit_query':
      return [{ method: 'GET', path: '/api/audit/events?limit=25', headers: { authorization: `Bearer ${inputs.supervisorToken}` } }];
    case 'update':
      return [update];
    case 'journey':
      return [list, read, update];
    case 'accept':
      return [
        {
          method: 'POST',
          setupRequest: (request) => {
            const caseId = inputs.acceptCases[(inputs.acceptOffset + state.nextAccept++) % inputs.acceptCases.length]!;
            return {
              ...request,
              path: `/api/cases/${caseId}/referrals`,
              headers: { ...officer, ...json },
              body: JSON.stringify({ toOrganisationId: inputs.acceptTo, purpose: inputs.acceptPurpose, urgency: 'routine' }),
            };
          },
          onResponse: (status, body, context: Context) => {
            context.referralId = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
          },
        },
        {
          method: 'POST',
          setupRequest: (request, context: Context) => ({
            ...request,
            // After a failed create there is nothing to accept: an unknown id answers 404 and counts as non-2xx.
            path: `/api/referrals/${context.referralId ?? '00000000-0000-4000-8000-000000000000'}/accept`,
            headers: { authorization: `Bearer ${inputs.acceptorToken}` },
          }),
        },
      ];
  }
}

async function run(spec: LoadSpec, seconds: number, state: LoadState): Promise<Result> {
  return autocannon({ url: spec.url, connections: spec.connections, duration: seconds, timeout: 30, requests: requestsOf(spec, state) });
}

/**
 * One measured load run in a process of its own (bench/physical.ts forks it for each round), so
 * neither server shares its event loop or its CPU accounting with the load generator.
 */
async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LOAD_SPEC!) as LoadSpec;
  const state: LoadState = { idle: spec.inputs.updateCases.map((_, index) => index), nextSlot: 0, nextAccept: 0 };
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, state);
  const result = await run(spec, spec.durationSeconds, state);
  const report: LoadRun = {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    acceptUsed: state.nextAccept,
  };
  process.send!(report);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`load-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
