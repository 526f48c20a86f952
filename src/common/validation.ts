import { applyDecorators, type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { Problem, type ProblemFieldError } from './problem';

function flatten(errors: ValidationError[], parent = ''): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      path,
      // class-validator prefixes messages with the property name; the path already says it.
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Longer than any field of the API allows; DTOs set tighter limits, this bounds the free-form objects too. */
export const MAX_STRING_LENGTH = 20_000;

// A high surrogate not followed by a low one, or a low one not preceded by a high one: not text, and PostgreSQL cannot store it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(value: string): string | undefined {
  if (value.length > MAX_STRING_LENGTH) return `must not be longer than ${MAX_STRING_LENGTH} characters`;
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired surrogates (invalid Unicode)';
  return undefined;
}

/**
 * Every string of a body, query or path parameter, keys included, wherever it is (free-form
 * section data too): NUL, unpaired surrogates and overlong strings are refused here, once,
 * instead of reaching a validator that throws on them or a database that cannot store them.
 */
export function unsafeStrings(value: unknown, path = '', errors: ProblemFieldError[] = []): ProblemFieldError[] {
  if (typeof value === 'string') {
    const message = stringProblem(value);
    if (message) errors.push({ path: path || 'body', message });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => unsafeStrings(item, path ? `${path}.${index}` : String(index), errors));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = stringProblem(key);
      if (keyProblem) errors.push({ path: path || 'body', message: `field name ${keyProblem}` });
      else unsafeStrings(item, path ? `${path}.${key}` : key, errors);
    }
  }
  return errors;
}

/** class-validator's pipe, preceded by the checks that hold for every input whatever its DTO says. */
class PassageValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const errors = unsafeStrings(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (errors.length > 0) throw Problem.badRequest('The request is invalid', errors);
    }
    // A DTO body must be a JSON object: an array or a bare value would otherwise reach the handler unvalidated.
    // No body (or `null`) stays what Nest makes of it, an empty object validated like any other.
    const dto = typeof metadata.metatype === 'function' && ![String, Number, Boolean, Object, Array].includes(metadata.metatype as never);
    const present = value !== undefined && value !== null;
    if (metadata.type === 'body' && dto && present && (typeof value !== 'object' || Array.isArray(value))) {
      throw Problem.badRequest('The request body must be a JSON object', [{ path: 'body', message: 'must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}

/** Whitelist, refuse unknown fields, transform: every body and query is a validated DTO or a 400. */
export function createValidationPipe(): ValidationPipe {
  return new PassageValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => Problem.badRequest('The request is invalid', flatten(errors)),
  });
}

/** Deeper than any body of the API; checked before parsing, so no parser or validator recursion can overflow. */
export const MAX_JSON_DEPTH = 32;

/** Whether a JSON text nests objects and arrays deeper than `limit`; one pass over the text, strings skipped. */
export function jsonNestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Optional, but not nullable: an absent field is skipped, an explicit `null` is validated (and
 * refused by the field's other rules). class-validator's @IsOptional would let `null` through to
 * a NOT NULL column.
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

// Whitespace and invisible format characters (zero-width space, joiners, BOM, bidi marks): they say nothing.
const BLANK_RUN = /[\p{White_Space}\p{Cf}]+/gu;

/** How long a text is to a reader: runs of blanks count as one character, blanks at either end not at all. */
export function meaningfulLength(text: string): number {
  return text.replace(BLANK_RUN, ' ').trim().length;
}

/**
 * Free text with a minimum length (a justification, a reason, a review note): stored trimmed and
 * in NFC, and measured by meaningfulLength, so 20 spaces, or a word padded with zero-width
 * spaces, do not pass a 20-character rule. The one definition of such a rule; DTOs use it.
 */
export function MeaningfulText(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.normalize('NFC').replace(/^[\p{White_Space}\p{Cf}]+|[\p{White_Space}\p{Cf}]+$/gu, '') : value,
    ),
    IsString(),
    ValidateBy({
      name: 'meaningfulText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && meaningfulLength(value) >= min,
        defaultMessage: () => `must be at least ${min} characters long, not counting spaces`,
      },
    }),
    MaxLength(max),
  );
}
