import { Problem } from '../common/problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing: 404, like an id that does not exist. */
export function requireUuid(value: string, what = 'Not found'): string {
  if (!UUID.test(value)) throw Problem.notFound(what);
  return value.toLowerCase();
}
