import { Param, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
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

/** Whitelist, refuse unknown fields, transform: every body and query is a validated DTO or a 400. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => Problem.badRequest('The request is invalid', flatten(errors)),
  });
}

export function validationErrorsToProblem(errors: ValidationError[], detail: string): Problem {
  return Problem.badRequest(detail, flatten(errors));
}

/**
 * Optional, but not nullable: an absent field is skipped, an explicit `null` is validated (and
 * refused by the field's other rules). class-validator's @IsOptional would let `null` through to
 * a NOT NULL column.
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** A uuid path parameter; anything else is a 400 naming the parameter, never a database error. */
export function UuidParam(name = 'id'): ParameterDecorator {
  return Param(name, new ParseUUIDPipe({ exceptionFactory: () => Problem.badRequest('The request is invalid', [{ path: name, message: 'must be a UUID' }]) }));
}
