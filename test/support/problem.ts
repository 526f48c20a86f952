import type { ProblemBody } from '../../src/common/problem';
import type { TestResponse } from './app';

const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'detail', 'errors']);
// What would betray internals: stack frames, file paths, SQL, driver or framework error names.
export const LEAKS =
  /\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|QueryFailedError|TypeORM|relation "|constraint "|FST_ERR/i;

/** Asserts an RFC 9457 answer with this status and nothing internal in it; returns the body. */
export function expectProblem(response: TestResponse, status: number): ProblemBody {
  expect({ status: response.status, text: response.text }).toEqual({ status, text: expect.any(String) });
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = response.body as ProblemBody;
  expect(Object.keys(body).filter((key) => !PROBLEM_KEYS.has(key))).toEqual([]);
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(response.text).not.toMatch(LEAKS);
  return body;
}

/** The distinct paths an answer's `errors` names (a field breaking several rules has one entry per rule). */
export function errorPaths(body: ProblemBody): string[] {
  return [...new Set((body.errors ?? []).map((error) => error.path))];
}
