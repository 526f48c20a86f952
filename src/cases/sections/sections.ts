import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Section } from '../../access/policy';
import { Problem, type ProblemFieldError } from '../../common/problem';
import { CareSection, IdentitySection, ImmigrationSection, InvestigationSection, SummarySection } from './section-schemas';

export type SectionData = Record<string, unknown>;

const SCHEMAS: Record<Section, new () => object> = {
  [Section.Summary]: SummarySection,
  [Section.Identity]: IdentitySection,
  [Section.Care]: CareSection,
  [Section.Investigation]: InvestigationSection,
  [Section.Immigration]: ImmigrationSection,
};

/** Fields only the platform sets (through their own endpoints), never a PATCH. */
const SYSTEM_FIELDS: Partial<Record<Section, readonly string[]>> = {
  [Section.Immigration]: ['reflectionPeriod'],
};

function flatten(errors: ReturnType<typeof validateSync>, parent: string): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const path = `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      path,
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** The section's schema errors (unknown fields included), each with its path under `pathPrefix`. */
export function sectionErrors(section: Section, data: SectionData, pathPrefix: string): ProblemFieldError[] {
  const instance = plainToInstance(SCHEMAS[section], data);
  return flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }), pathPrefix);
}

export function assertValidSection(section: Section, data: SectionData, pathPrefix: string): void {
  const errors = sectionErrors(section, data, pathPrefix);
  if (errors.length > 0) throw Problem.badRequest(`The ${section} section is invalid`, errors);
}

/**
 * PATCH semantics: a field given replaces the old value, `null` clears it, the rest stays.
 * The merged section is validated whole, so a required field cannot be cleared.
 */
export function mergeSection(section: Section, current: SectionData, patch: SectionData): SectionData {
  const forbidden = (SYSTEM_FIELDS[section] ?? []).filter((field) => field in patch);
  if (forbidden.length > 0) {
    throw Problem.badRequest(
      'Some fields are set by the platform, not by PATCH',
      forbidden.map((field) => ({ path: `data.${field}`, message: 'is set by its own endpoint (e.g. POST /api/cases/:id/reflection-period)' })),
    );
  }
  const merged: SectionData = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  assertValidSection(section, merged, 'data');
  return merged;
}
