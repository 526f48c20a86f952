import type { BodyPart, ScriptRoute, ScriptValue } from './baseline-script';
import type { BenchProcess } from './api-processes';
import type { CapturedStatement } from './pg-capture';

/** One HTTP request as the load process and the self-check send it. */
export interface BenchRequest {
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  token: string;
  body?: unknown;
}

export interface Answer {
  status: number;
  body: string;
  contentType: string;
}

export async function send(baseUrl: string, request: BenchRequest): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${request.token}` };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

/** The statements the API child sent since the last call (it records them only when started with capture). */
export function takeCaptured(api: BenchProcess): Promise<CapturedStatement[]> {
  return new Promise((resolve) => {
    const onMessage = (message: { captured?: CapturedStatement[] }): void => {
      if (!message.captured) return;
      api.child.off('message', onMessage);
      resolve(message.captured);
    };
    api.child.on('message', onMessage);
    api.child.send('capture');
  });
}

/** One captured request: its slot values (ids and versions it names), the statements it caused, the answer. */
export interface Capture {
  slots: Record<string, string | number>;
  statements: CapturedStatement[];
  answer: Answer;
  /** Date.now() when the request was sent: times in its statements are kept relative to it. */
  at: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface IpcBuffer {
  type: 'Buffer';
  data: number[];
}
const isIpcBuffer = (value: unknown): value is IpcBuffer =>
  typeof value === 'object' && value !== null && (value as IpcBuffer).type === 'Buffer' && Array.isArray((value as IpcBuffer).data);

/**
 * Turns two captures of the same request shape (e.g. two reads, or two updates of different cases)
 * into a baseline route: what is equal in both is sent as captured; what matches a slot becomes
 * that slot; ids and times that differ become fresh per request; sealed bytes are re-sealed.
 * Anything else that differs is an error: the baseline would not do the same work.
 */
export function compileRoute(
  name: string,
  method: string,
  pattern: string,
  captures: [Capture, Capture],
  open: (ciphertext: Buffer, caseId: string, section: string) => string | undefined,
  options: { bodySlots?: Record<string, string>; caseSlot?: string; section?: string; merge?: boolean } = {},
): ScriptRoute {
  const [a, b] = captures;
  if (a.statements.length !== b.statements.length || a.statements.some((s, i) => s.text !== b.statements[i]!.text)) {
    throw new Error(`${name}: the two captured requests sent different statements; the baseline cannot replay them`);
  }
  const uuids = new Map<string, number>();
  const uuidOf = (value: string): { $uuid: number } => {
    let index = uuids.get(value);
    if (index === undefined) uuids.set(value, (index = uuids.size));
    return { $uuid: index };
  };
  const slotOf = (x: unknown, y: unknown): ScriptValue | undefined => {
    for (const slot of Object.keys(b.slots)) {
      if (x === a.slots[slot] && y === b.slots[slot]) return { $slot: slot };
      if (typeof y === 'number' && typeof b.slots[slot] === 'number' && x === Number(a.slots[slot]) + 1 && y === b.slots[slot] + 1) {
        return { $slot: slot, plus: 1 };
      }
    }
    return undefined;
  };
  const value = (x: unknown, y: unknown, where: string): ScriptValue => {
    const slot = slotOf(x, y);
    if (slot) return slot;
    if (isIpcBuffer(y)) {
      const bytes = Buffer.from(y.data);
      const caseId = options.caseSlot ? String(b.slots[options.caseSlot]) : undefined;
      const plaintext = caseId && options.section ? open(bytes, caseId, options.section) : undefined;
      if (plaintext !== undefined && options.merge) return { $merged: options.section!, slot: options.caseSlot! };
      if (plaintext !== undefined) return { $seal: plaintext, section: options.section!, slot: options.caseSlot! };
      return { $bytes: bytes.toString('base64') };
    }
    if (Array.isArray(y)) {
      if (!Array.isArray(x) || x.length !== y.length) throw new Error(`${name}: ${where} differs in length between the captures`);
      return y.map((item, index) => value(x[index], item, `${where}[${index}]`));
    }
    if (JSON.stringify(x) === JSON.stringify(y)) {
      // The same in both, but a fresh id in each request if it is one of the ids this request generated.
      return y as ScriptValue;
    }
    if (typeof y === 'string' && UUID.test(y)) {
      // Taken from an earlier statement's first row in both captures: the baseline takes it from its own.
      const statement = Number(/^statement (\d+)/.exec(where)?.[1]);
      for (let s = 0; s < statement; s += 1) {
        const rowB = b.statements[s]!.rows?.[0];
        const rowA = a.statements[s]!.rows?.[0];
        const column = rowB && Object.keys(rowB).find((key) => rowB[key] === y && rowA?.[key] === x);
        if (column) return { $row: s, column };
      }
      return uuidOf(y);
    }
    if (typeof y === 'string' && ISO_TIME.test(y)) return { $time: Date.parse(y) - b.at };
    throw new Error(`${name}: ${where} is ${JSON.stringify(x)} in one capture and ${JSON.stringify(y)} in the other`);
  };
  const statements = b.statements.map((statement, s) => ({
    text: statement.text,
    values: statement.values.map((v, i) => value(a.statements[s]!.values[i], v, `statement ${s} parameter ${i}`)),
  }));
  return {
    name,
    method,
    pattern,
    bodySlots: options.bodySlots,
    caseSlot: options.caseSlot,
    mergeSection: options.merge ? options.section : undefined,
    statements,
    status: b.answer.status,
    contentType: b.answer.contentType,
    // A section update answers the merged section: built per request from the rows, as Passage builds it.
    body: options.merge ? [{ $mergedWithVersion: 'version' }] : bodyTemplate(a, b, new Set(uuids.keys()), uuidOf),
  };
}

/**
 * The second capture's response body with what differs from the first (ids, times, versions)
 * as per-request parts. Values that differ but are neither (a case reference) stay as captured:
 * same length, noted by the self-check's masking.
 */
function bodyTemplate(a: Capture, b: Capture, generated: ReadonlySet<string>, uuidOf: (value: string) => { $uuid: number }): BodyPart[] {
  const replacements = new Map<string, BodyPart[]>();
  const walk = (x: unknown, y: unknown, key: string): void => {
    if (y !== null && typeof y === 'object') {
      for (const [k, v] of Object.entries(y)) walk((x as Record<string, unknown> | null)?.[k], v, k);
      return;
    }
    for (const slot of Object.keys(b.slots)) {
      if (typeof y === 'string' && y === b.slots[slot] && x === a.slots[slot]) replacements.set(JSON.stringify(y), ['"', { $slot: slot }, '"']);
      if (typeof y === 'number' && typeof b.slots[slot] === 'number' && y === b.slots[slot] + 1 && x === Number(a.slots[slot]) + 1) {
        replacements.set(`"${key}":${y}`, [`"${key}":`, { $slot: slot, plus: 1 }]);
      }
    }
    if (x === y || typeof y !== 'string' || replacements.has(JSON.stringify(y))) return;
    // Only what this request made is fresh: an id it generated, or a value the other answer does not hold anywhere
    // (a page of events shifted by one differs at every position, yet holds the same older ids and times).
    const made = generated.has(y) || !a.answer.body.includes(JSON.stringify(y));
    if (!made) return;
    if (UUID.test(y)) replacements.set(JSON.stringify(y), ['"', uuidOf(y), '"']);
    else if (ISO_TIME.test(y)) replacements.set(JSON.stringify(y), ['"', { $time: Date.parse(y) - b.at }, '"']);
  };
  const text = b.answer.body;
  if (!b.answer.contentType.includes('json')) return [text];
  walk(JSON.parse(a.answer.body), JSON.parse(text), '');
  let parts: BodyPart[] = [text];
  for (const [needle, replacement] of replacements) {
    parts = parts.flatMap((part) => {
      if (typeof part !== 'string' || !part.includes(needle)) return [part];
      const pieces = part.split(needle);
      return pieces.flatMap((piece, index) => (index === 0 ? [piece] : [...replacement, piece]));
    });
  }
  return parts.filter((part) => part !== '');
}

/** Ids, times, versions and case references masked: what two answers to "the same" mutating request share. */
export function masked(body: string): string {
  return body
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/"version":\d+/g, '"version":<n>')
    .replace(/"[A-Z]{2}-\d{4}-\d{6}"/g, '"<reference>"');
}
