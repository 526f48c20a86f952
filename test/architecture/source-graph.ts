import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A TypeScript file of src/, with its feature module (its first folder; `(root)` for src/*.ts). */
export interface SourceFile {
  /** Path from src/, with forward slashes. */
  path: string;
  module: string;
  text: string;
}

export interface ImportEdge {
  from: SourceFile;
  /** Path from src/ of the imported file, without extension. */
  target: string;
  targetModule: string;
}

/** A statement that writes a table, found in a file's text. */
export interface TableWrite {
  file: SourceFile;
  table: string;
  /** INSERT, UPDATE, DELETE, or the TypeORM method called. */
  verb: string;
  /** The columns an UPDATE sets (empty for other verbs or when not parsed). */
  columns: string[];
  line: number;
}

/** Comments blanked out (newlines kept, so line numbers hold): prose about an UPDATE is not one. */
function withoutComments(text: string): string {
  const blank = (comment: string): string => comment.replace(/[^\n]/g, ' ');
  return text.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/(^|[ \t])\/\/.*$/gm, (comment, lead: string) => lead + blank(comment.slice(lead.length)));
}

export function readSources(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.ts') && !full.endsWith('.spec.ts') && !full.endsWith('.d.ts')) {
        const path = relative(srcDir, full).split(sep).join('/');
        files.push({ path, module: path.includes('/') ? path.split('/')[0]! : '(root)', text: withoutComments(readFileSync(full, 'utf8')) });
      }
    }
  };
  walk(srcDir);
  return files;
}

/** Relative imports (`import … from '../x/y'`, `export … from`, `import('…')`) that leave the file's module. */
export function crossModuleImports(srcDir: string, files: readonly SourceFile[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    for (const match of file.text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(srcDir, resolve(srcDir, dirname(file.path), match[1]!))
        .split(sep)
        .join('/');
      if (target.startsWith('..')) continue;
      const targetModule = target.includes('/') ? target.split('/')[0]! : '(root)';
      if (targetModule !== file.module) edges.push({ from: file, target, targetModule });
    }
  }
  return edges;
}

/** Module pairs that import each other, as "a <-> b" with a < b. */
export function mutualPairs(edges: readonly ImportEdge[]): string[] {
  const pairs = new Set(edges.map((e) => `${e.from.module} -> ${e.targetModule}`));
  const mutual = new Set<string>();
  for (const pair of pairs) {
    const [a, b] = pair.split(' -> ') as [string, string];
    if (pairs.has(`${b} -> ${a}`)) mutual.add(a < b ? `${a} <-> ${b}` : `${b} <-> ${a}`);
  }
  return [...mutual].sort();
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The columns between SET and WHERE/FROM/RETURNING of an UPDATE starting at `index`. */
function setColumns(text: string, index: number): string[] {
  const statement = text.slice(index, index + 1500);
  const set = /\bSET\b([\s\S]*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|`)/.exec(statement);
  if (!set) return [];
  // Top-level assignments only: `col = …` at the start of the list or after a comma.
  return [...set[1]!.matchAll(/(?:^|,)\s*([a-z_][a-z0-9_]*)\s*=/g)].map((m) => m[1]!);
}

const TYPEORM_WRITES = 'save|insert|update|upsert|delete|remove|softDelete|softRemove|increment|decrement|restore';

/**
 * Every write to a table the source states: SQL (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`,
 * keywords in capitals as the code base writes them) and TypeORM writes on entity repositories
 * (`getRepository(E).save(…)`, an injected `Repository<E>` field's `.save(…)`, `manager.save(E, …)`).
 */
export function tableWrites(files: readonly SourceFile[], entityTables: ReadonlyMap<string, string>): TableWrite[] {
  const writes: TableWrite[] = [];
  for (const file of files) {
    const text = file.text;
    for (const match of text.matchAll(/\b(INSERT INTO|UPDATE|DELETE FROM)\s+"?([a-z_][a-z0-9_]*)"?/g)) {
      const verb = match[1]!.split(' ')[0]!;
      writes.push({
        file,
        table: match[2]!,
        verb,
        columns: verb === 'UPDATE' ? setColumns(text, match.index) : [],
        line: lineOf(text, match.index),
      });
    }
    const fields = new Map<string, string>();
    for (const match of text.matchAll(/(\w+)\s*:\s*Repository<(\w+)>/g)) fields.set(match[1]!, match[2]!);
    const typeorm = [
      ...[...text.matchAll(new RegExp(`getRepository\\((\\w+)\\)\\s*\\.(${TYPEORM_WRITES})\\(`, 'g'))].map((m) => ({
        entity: m[1]!,
        verb: m[2]!,
        index: m.index,
      })),
      ...[...text.matchAll(new RegExp(`\\.(${TYPEORM_WRITES})\\(\\s*(\\w+)\\s*,`, 'g'))]
        .filter((m) => entityTables.has(m[2]!))
        .map((m) => ({ entity: m[2]!, verb: m[1]!, index: m.index })),
      ...[...text.matchAll(new RegExp(`this\\.(\\w+)\\.(${TYPEORM_WRITES})\\(`, 'g'))]
        .filter((m) => fields.has(m[1]!))
        .map((m) => ({ entity: fields.get(m[1]!)!, verb: m[2]!, index: m.index })),
    ];
    for (const write of typeorm) {
      const table = entityTables.get(write.entity);
      if (table) writes.push({ file, table, verb: write.verb, columns: [], line: lineOf(text, write.index) });
    }
  }
  return writes;
}

/** Entity class → table, from `@Entity('table') export class Name`. */
export function entityTables(files: readonly SourceFile[]): Map<string, string> {
  const tables = new Map<string, string>();
  for (const file of files) {
    for (const match of file.text.matchAll(/@Entity\('([a-z_]+)'\)\s*export class (\w+)/g)) tables.set(match[2]!, match[1]!);
  }
  return tables;
}

/** Tables the migrations create. */
export function migrationTables(migrationsDir: string): Set<string> {
  const tables = new Set<string>();
  for (const entry of readdirSync(migrationsDir)) {
    const text = readFileSync(join(migrationsDir, entry), 'utf8');
    for (const match of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)"?/g)) tables.add(match[1]!);
  }
  return tables;
}
