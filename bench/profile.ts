/** The parts of a V8 .cpuprofile (node --cpu-prof) the summary reads. */
interface CpuProfile {
  startTime: number;
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Top functions by self time. */
  functions: Array<{ name: string; where: string; group: string; calledFrom: string; selfMs: number; percent: number }>;
  /** Self time by package (node_modules package, Passage source folder, or V8/Node internals). */
  groups: Array<{ group: string; selfMs: number; percent: number }>;
}

/** `fastify`, `@nestjs/core`, `passage src/cases`, `node internals`, or `(garbage collector)` and friends. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native: ${functionName}`;
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const source = /\/dist\/(src|bench)\/([^/]+)\//.exec(url);
  if (source) return `passage ${source[1]}/${source[2]}`;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

/** Self time per function and per package: a text flame summary of where the API's CPU went. */
export function summariseProfile(profile: CpuProfile, top: number, skipMs = 0): ProfileSummary {
  const self = new Map<number, number>();
  // Samples of the first `skipMs` (start-up: module loading, compiling) are left out: the load is what is profiled.
  let at = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= skipMs * 1000) self.set(id, (self.get(id) ?? 0) + delta);
  });
  // Native functions (writev, GC, crypto) have no script: the nearest caller with one says whose work it is.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const callerOf = (id: number): string => {
    let at = parent.get(id);
    while (at !== undefined) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url && !frame.url.startsWith('node:')) return `${frame.functionName || '(anonymous)'} (${groupOf(frame.url, frame.functionName)})`;
      at = parent.get(at);
    }
    return '';
  };
  const byFunction = new Map<string, { name: string; where: string; group: string; callers: Map<string, number>; micros: number }>();
  const byGroup = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = self.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += micros;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const group = groupOf(url, name);
    const entry = byFunction.get(key) ?? { name, where, group, callers: new Map<string, number>(), micros: 0 };
    entry.micros += micros;
    const caller = callerOf(node.id);
    entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + micros);
    byFunction.set(key, entry);
    byGroup.set(group, (byGroup.get(group) ?? 0) + micros);
  }
  const ms = (micros: number): number => Math.round(micros / 100) / 10;
  const percent = (micros: number): number => Math.round((micros / Math.max(total, 1)) * 1000) / 10;
  return {
    totalMs: ms(total),
    functions: [...byFunction.values()]
      .sort((x, y) => y.micros - x.micros)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        group: f.group,
        // The two callers (outside Node's own modules) that account for most of its self time.
        calledFrom: [...f.callers.entries()]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 2)
          .filter(([caller]) => caller !== '')
          .map(([caller, micros]) => `${caller} ${percent(micros)}%`)
          .join('; '),
        selfMs: ms(f.micros),
        percent: percent(f.micros),
      })),
    groups: [...byGroup.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([group, micros]) => ({ group, selfMs: ms(micros), percent: percent(micros) })),
  };
}
