import { Injectable, type PipeTransform } from '@nestjs/common';
import { Problem } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The one way to read an id from a path: a value that is not a UUID names nothing, so it is a 404
 * like an id that does not exist (never a 400 or a database error). Lower-cased, so an id compares
 * equal to the same id as PostgreSQL prints it.
 */
export function parseId(value: string, notFound = 'Not found'): string {
  if (!isId(value)) throw Problem.notFound(notFound);
  return value.toLowerCase();
}

/** `@Param('id', new IdPipe('Referral not found'))`: parseId as a pipe. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly notFound: string) {}

  transform(value: string): string {
    return parseId(value, this.notFound);
  }
}

/** A case id that is not even a UUID names no case: 404, like any case the user cannot see. */
export const CaseIdPipe = new IdPipe('Case not found');
