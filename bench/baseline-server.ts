import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool, type PoolClient } from 'pg';
import { Sealer } from '../src/common/crypto';
import type { BaselineScript, BodyPart, ScriptRoute, ScriptValue } from './baseline-script';

/**
 * The physical limit Passage is compared with: a bare node:http + pg server that, for a request
 * it knows, verifies the HS256 token, executes on one pooled connection exactly the statements
 * Passage sent for the same request (captured by bench/baseline.ts: reads, audit insert,
 * transaction), decrypts every sealed section the rows return and seals what Passage sealed,
 * then answers the bytes Passage answered with this request's ids, versions and times.
 * No framework, no validation, no authorisation logic, no ORM: what is left is the work the
 * hardware must do. Bench-only, a child process of its own.
 */

interface Compiled extends ScriptRoute {
  regex: RegExp;
}

const script = JSON.parse(readFileSync(process.env.BENCH_BASELINE_SCRIPT!, 'utf8')) as BaselineScript;
const secret = Buffer.from(script.jwtSecret, 'base64');
const sealer = new Sealer(script.keys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })));
const routes: Compiled[] = script.routes.map((route) => ({ ...route, regex: new RegExp(route.pattern) }));
const pool = new Pool({ connectionString: process.env.BENCH_BASELINE_DATABASE_URL, max: script.poolMax, application_name: 'passage-baseline' });

/** HS256 signature and expiry: the token check every Passage request pays. */
function verify(header: string | undefined): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const token = header.slice(7);
  const [head, payload, signature] = token.split('.');
  if (!head || !payload || !signature) return false;
  const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number; sub?: string; sid?: string };
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() && typeof claims.sub === 'string' && typeof claims.sid === 'string';
}

interface RequestValues {
  slots: Record<string, string | number>;
  uuids: Map<number, string>;
  now: number;
  /** The request's `data` merged into the section the rows returned (section updates). */
  patch?: Record<string, unknown>;
  merged?: Record<string, unknown>;
  /** First row of each statement executed so far. */
  rows: Array<Record<string, unknown> | undefined>;
}

function slotValue(values: RequestValues, name: string, plus?: number): string | number {
  const value = values.slots[name];
  if (value === undefined) throw new Error(`no slot ${name}`);
  return plus === undefined ? value : Number(value) + plus;
}

function uuid(values: RequestValues, index: number): string {
  let value = values.uuids.get(index);
  if (value === undefined) values.uuids.set(index, (value = randomUUID()));
  return value;
}

function resolve(value: ScriptValue, values: RequestValues): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, values));
  if ('$slot' in value) return slotValue(values, value.$slot, value.plus);
  if ('$uuid' in value) return uuid(values, value.$uuid);
  if ('$time' in value) return new Date(values.now + value.$time).toISOString();
  if ('$bytes' in value) return Buffer.from(value.$bytes, 'base64');
  if ('$row' in value) return values.rows[value.$row]?.[value.column];
  if ('$merged' in value) {
    const caseId = String(slotValue(values, value.slot));
    return sealer.seal(Buffer.from(JSON.stringify(values.merged), 'utf8'), `case:${caseId}:section:${value.$merged}`).ciphertext;
  }
  const caseId = String(slotValue(values, value.slot));
  return sealer.seal(Buffer.from(value.$seal, 'utf8'), `case:${caseId}:section:${value.section}`).ciphertext;
}

function renderBody(parts: BodyPart[], values: RequestValues): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if ('$slot' in part) out += String(slotValue(values, part.$slot, part.plus));
    else if ('$uuid' in part) out += uuid(values, part.$uuid);
    else if ('$mergedWithVersion' in part) out += JSON.stringify({ ...values.merged, version: Number(slotValue(values, part.$mergedWithVersion)) + 1 });
    else out += new Date(values.now + part.$time).toISOString();
  }
  return out;
}

/** Opens every sealed section among the rows, as Passage must before it answers; merges a section update's data. */
function openSealed(rows: Array<Record<string, unknown>>, caseId: string | undefined, values: RequestValues, mergeSection: string | undefined): void {
  for (const row of rows) {
    const ciphertext = row.ciphertext;
    if (!Buffer.isBuffer(ciphertext) || typeof row.key_id !== 'string' || typeof row.section !== 'string') continue;
    const id = typeof row.case_id === 'string' ? row.case_id : caseId;
    const data = JSON.parse(sealer.open({ keyId: row.key_id, ciphertext }, `case:${id}:section:${row.section}`).toString('utf8')) as Record<string, unknown>;
    row.data = data;
    if (row.section === mergeSection && values.patch) {
      const merged = { ...data };
      for (const [key, value] of Object.entries(values.patch)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      values.merged = merged;
    }
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!verify(request.headers.authorization)) {
    response.writeHead(401).end();
    return;
  }
  const url = request.url ?? '';
  let route: Compiled | undefined;
  let match: RegExpExecArray | null = null;
  for (const candidate of routes) {
    if (candidate.method !== request.method) continue;
    match = candidate.regex.exec(url);
    if (match) {
      route = candidate;
      break;
    }
  }
  const raw = await readBody(request);
  if (!route || !match) {
    response.writeHead(404).end();
    return;
  }
  const slots: Record<string, string | number> = { ...match.groups };
  const values: RequestValues = { slots, uuids: new Map(), now: Date.now(), rows: [] };
  if (route.bodySlots || route.mergeSection) {
    const body = JSON.parse(raw) as Record<string, unknown>;
    for (const [field, slot] of Object.entries(route.bodySlots ?? {})) slots[slot] = body[field] as string | number;
    if (route.mergeSection) values.patch = body.data as Record<string, unknown>;
  }
  const caseId = route.caseSlot ? String(slots[route.caseSlot]) : undefined;
  let client: PoolClient | undefined;
  try {
    client = await pool.connect();
    for (const statement of route.statements) {
      const result = await client.query<Record<string, unknown>>(
        statement.text,
        statement.values.map((value) => resolve(value, values)),
      );
      if (result.rows) openSealed(result.rows, caseId, values, route.mergeSection);
      values.rows.push(result.rows?.[0]);
    }
  } catch (error) {
    // A failed statement inside a transaction leaves it aborted: roll back before the connection returns to the pool.
    await client?.query('ROLLBACK').catch(() => undefined);
    response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    return;
  } finally {
    client?.release();
  }
  const body = renderBody(route.body, values);
  response.writeHead(route.status, { 'content-type': route.contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (!response.headersSent) response.writeHead(500).end(String(error));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ ready: true, url: `http://127.0.0.1:${port}` });
});
const close = (): void => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('message', (message) => message === 'close' && close());
process.on('disconnect', close);
