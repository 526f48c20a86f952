import type { components } from './schema';

export type Problem = components['schemas']['ProblemDto'];

/** An answer other than 2xx, carrying the API's problem+json so screens can branch on status and type. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful answer; any other answer becomes an ApiError (TanStack Query's error). */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, isProblem(error) ? error : undefined);
  return data as T;
}

/** For answers without a body (204). */
export async function expectOk(call: Promise<Answer<unknown>>): Promise<void> {
  const { error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, isProblem(error) ? error : undefined);
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiError ? error.status : undefined;
}
