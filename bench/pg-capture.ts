import { Client } from 'pg';

/** One statement as the pg driver sent it: text and parameter values, in order. */
export interface CapturedStatement {
  text: string;
  values: unknown[];
  /** Its first rows (the baseline takes ids that later statements use from them). */
  rows?: Array<Record<string, unknown>>;
}

/**
 * Records every statement any pg Client of this process sends (TypeORM's repositories, raw
 * queries, BEGIN/COMMIT, the audit insert), so the baseline can execute exactly what Passage
 * sends. Bench-only, installed by api-child.ts when asked to capture.
 */
export function installPgCapture(): { take(): CapturedStatement[] } {
  let recorded: CapturedStatement[] = [];
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: Client, ...args: unknown[]): unknown {
    const [first, second] = args;
    let entry: CapturedStatement | undefined;
    if (typeof first === 'string') entry = { text: first, values: Array.isArray(second) ? [...(second as unknown[])] : [] };
    else if (first && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') {
      const config = first as { text: string; values?: unknown[] };
      entry = { text: config.text, values: Array.isArray(config.values) ? [...config.values] : Array.isArray(second) ? [...(second as unknown[])] : [] };
    }
    if (!entry) return original.apply(this, args);
    recorded.push(entry);
    const keep = (result: unknown): void => {
      const rows = (result as { rows?: unknown } | undefined)?.rows;
      if (Array.isArray(rows)) entry.rows = (rows as Array<Record<string, unknown>>).slice(0, 5);
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown): unknown => {
        if (!error) keep(result);
        return (callback as (e: unknown, r: unknown) => unknown)(error, result);
      };
      return original.apply(this, args);
    }
    const returned = original.apply(this, args);
    if (returned instanceof Promise) returned.then(keep, () => undefined);
    return returned;
  };
  return {
    take(): CapturedStatement[] {
      const taken = recorded;
      recorded = [];
      return taken;
    },
  };
}
