import { rulesToAST } from '@casl/ability/extra';
import type { Condition, CompoundCondition, FieldCondition } from '@ucast/mongo2js';
import type { SqlParams } from '../common/sql';
import type { CaseAbility, CaseAction } from './case-ability.factory';

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
    fields: { organisationId: 'organisation_id', purpose: 'purpose', revokedAt: 'revoked_at', holdsBed: 'holds_bed' },
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
        const inner = compileRelationCondition(field.value, relation.fields, sub, params);
        // An uncorrelated IN lets PostgreSQL hash the subquery once per statement (hashed SubPlan),
        // which stays cheap even when several such conditions are OR-ed together.
        return `${caseAlias}.id IN (SELECT ${sub}.${relation.caseKey} FROM ${relation.table} ${sub} WHERE ${inner})`;
      }
      default:
        return compileFieldCondition(condition as FieldCondition, columns, alias, params);
    }
  };

  return compile(ast, CASE_COLUMNS, caseAlias);
}

function compileFieldCondition(condition: FieldCondition, columns: Record<string, string>, alias: string, params: SqlParams): string {
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
      // A one-element list as plain equality, so an index can serve it as an ordered range.
      if (Array.isArray(value) && value.length === 1) return `${ref} = ${params.add(value[0])}`;
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
}

/**
 * The same rules as `caseAccessPredicate`, shaped for "newest first" pages: when every rule
 * allowing `action` is a relation condition (the case is reachable through a participation or a
 * grant), the page is taken from each relation's index ordered by the case's creation time (see
 * migration CaseListOrder), `limit` rows per rule, then merged. The cost follows the page size,
 * not the number of cases an organisation takes part in. `caseFilters` are conditions on the case
 * row (alias `c`); `before` is the keyset cursor. Returns a query yielding up to `limit` distinct
 * `case_id`s newest first, or undefined when the rules have another shape (use the predicate).
 */
export function caseAccessPage(
  ability: CaseAbility,
  action: CaseAction,
  params: SqlParams,
  page: { limit: number; caseFilters: string[]; before?: { createdAt: string; id: string } },
): string | undefined {
  const ast = rulesToAST(ability, action, 'Case');
  // No rule allows the action: an empty page, still naming the filters so that their parameters,
  // already numbered in `params`, are bound to something (else PostgreSQL refuses the statement).
  if (ast === null) return `SELECT c.id AS case_id FROM "case" c WHERE ${['FALSE', ...page.caseFilters].join(' AND ')}`;
  const branches = ast.operator === 'or' ? (ast as CompoundCondition).value : [ast];
  if (!branches.every((branch) => branch.operator === 'elemMatch' && RELATIONS[String((branch as FieldCondition).field)])) return undefined;
  const limit = params.add(page.limit);
  const before = page.before && [params.add(page.before.createdAt), params.add(page.before.id)];
  const union = branches
    .map((branch, index) => {
      const field = branch as FieldCondition<Condition>;
      const relation = RELATIONS[String(field.field)]!;
      const alias = `d${index}`;
      const where = [compileRelationCondition(field.value, relation.fields, alias, params), ...page.caseFilters];
      if (before) where.push(`(${alias}.case_created_at, ${alias}.${relation.caseKey}) < (${before[0]}::timestamptz, ${before[1]}::uuid)`);
      return `(SELECT ${alias}.${relation.caseKey} AS case_id, ${alias}.case_created_at FROM ${relation.table} ${alias} JOIN "case" c ON c.id = ${alias}.${relation.caseKey}
                WHERE ${where.join(' AND ')} ORDER BY ${alias}.case_created_at DESC, ${alias}.${relation.caseKey} DESC LIMIT ${limit})`;
    })
    .join(' UNION ALL ');
  // Two rules can reach the same case (two purposes of one organisation): one row per case.
  return `SELECT case_id FROM (SELECT DISTINCT case_id, case_created_at FROM (${union}) v) d ORDER BY case_created_at DESC, case_id DESC LIMIT ${limit}`;
}

function compileRelationCondition(condition: Condition, columns: Record<string, string>, alias: string, params: SqlParams): string {
  if (condition.operator === 'and' || condition.operator === 'or') {
    const parts = (condition as CompoundCondition).value.map((child) => compileRelationCondition(child, columns, alias, params));
    if (parts.length === 0) return condition.operator === 'and' ? 'TRUE' : 'FALSE';
    return `(${parts.join(condition.operator === 'and' ? ' AND ' : ' OR ')})`;
  }
  if (condition.operator === 'not') {
    return `NOT (${(condition as CompoundCondition).value.map((child) => compileRelationCondition(child, columns, alias, params)).join(' AND ')})`;
  }
  return compileFieldCondition(condition as FieldCondition, columns, alias, params);
}
