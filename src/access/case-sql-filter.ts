import { rulesToAST } from '@casl/ability/extra';
import type { Condition, CompoundCondition, FieldCondition } from '@ucast/mongo2js';
import type { CaseAbility, CaseAction } from './case-ability.factory';

/** Collects positional parameters ($1, $2, ...) for a raw SQL statement. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

interface Relation {
  table: string;
  /** The column that points at the case. */
  caseKey: string;
  fields: Record<string, string>;
}

/** CaseSubject's fields as columns: the one mapping from authorization's vocabulary to the schema. */
const CASE_COLUMNS: Record<string, string> = {
  id: 'id',
  country: 'country',
  status: 'status',
  leadOrganisationId: 'lead_organisation_id',
};

const RELATIONS: Record<string, Relation> = {
  participations: {
    table: 'participation',
    caseKey: 'case_id',
    fields: { organisationId: 'organisation_id', purpose: 'purpose', revokedAt: 'revoked_at' },
  },
  breakGlass: {
    table: 'break_glass_grant',
    caseKey: 'case_id',
    fields: { userId: 'user_id', expiresAt: 'expires_at' },
  },
};

const COMPARISON: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Turns the CASL rules for an action into a SQL predicate over the case table (`caseAlias`),
 * through `rulesToAST`: list queries filter with exactly the rules single-record checks use,
 * never a second hand-written copy. Relation conditions (`$elemMatch` on participations or
 * break-glass grants) become `id IN (subquery)` conditions. Anything it does not know fails closed (throws).
 * Returns `FALSE` when no rule allows the action at all.
 */
export function caseAccessPredicate(ability: CaseAbility, action: CaseAction, caseAlias: string, params: SqlParams): string {
  const ast = rulesToAST(ability, action, 'Case');
  if (ast === null) return 'FALSE';
  let subqueries = 0;

  const compile = (condition: Condition, columns: Record<string, string>, alias: string): string => {
    switch (condition.operator) {
      case 'and':
      case 'or': {
        const parts = (condition as CompoundCondition).value.map((child) => compile(child, columns, alias));
        if (parts.length === 0) return condition.operator === 'and' ? 'TRUE' : 'FALSE';
        return `(${parts.join(condition.operator === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not': {
        const parts = (condition as CompoundCondition).value.map((child) => compile(child, columns, alias));
        return `NOT (${parts.join(' AND ')})`;
      }
      case 'elemMatch': {
        const field = condition as FieldCondition<Condition>;
        const relation = RELATIONS[String(field.field)];
        if (!relation || alias !== caseAlias) throw new Error(`no SQL mapping for relation "${String(field.field)}"`);
        subqueries += 1;
        const sub = `${relation.table.slice(0, 2)}${subqueries}`;
        const inner = compile(field.value, relation.fields, sub);
        // An uncorrelated IN lets PostgreSQL hash the subquery once per statement (hashed SubPlan),
        // which stays cheap even when several such conditions are OR-ed together.
        return `${caseAlias}.id IN (SELECT ${sub}.${relation.caseKey} FROM ${relation.table} ${sub} WHERE ${inner})`;
      }
      default:
        return compileField(condition as FieldCondition, columns, alias);
    }
  };

  const compileField = (condition: FieldCondition, columns: Record<string, string>, alias: string): string => {
    const column = columns[String(condition.field)];
    if (!column) throw new Error(`no SQL mapping for field "${String(condition.field)}"`);
    const ref = `${alias}.${column}`;
    const { value } = condition;
    switch (condition.operator) {
      case 'eq':
        return value === null ? `${ref} IS NULL` : `${ref} = ${params.add(value)}`;
      case 'ne':
        return value === null ? `${ref} IS NOT NULL` : `${ref} IS DISTINCT FROM ${params.add(value)}`;
      case 'in':
        return `${ref} = ANY(${params.add(value)})`;
      case 'nin':
        return `NOT (${ref} = ANY(${params.add(value)}))`;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return `${ref} ${COMPARISON[condition.operator]} ${params.add(value)}`;
      default:
        throw new Error(`no SQL mapping for operator "${condition.operator}"`);
    }
  };

  return compile(ast, CASE_COLUMNS, caseAlias);
}
