import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

const WITNESS_FILE = 'checkpoints.jsonl';
const POST_TIMEOUT_MS = 5_000;

/**
 * Keeps every signed checkpoint outside the database: appended to AUDIT_WITNESS_DIR (one JSON
 * line per note, so a torn last line is recognisable) and, when AUDIT_WITNESS_URL is set, POSTed
 * there as text/plain. Someone who rewrites the database and re-signs can still not change what
 * the witness already holds, and verification compares the two.
 */
@Injectable()
export class AuditWitness {
  private readonly logger = new Logger(AuditWitness.name);
  private ready?: Promise<unknown>;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditWitnessDir' | 'auditWitnessUrl'>) {}

  get file(): string {
    return join(this.config.auditWitnessDir, WITNESS_FILE);
  }

  /** Appends one note; the POST runs in the background, so a slow witness never holds back the log. */
  async record(note: string): Promise<void> {
    this.ready ??= mkdir(this.config.auditWitnessDir, { recursive: true, mode: 0o700 });
    await this.ready;
    await appendFile(this.file, `${JSON.stringify({ note })}\n`, { mode: 0o600 });
    if (this.config.auditWitnessUrl) void this.post(this.config.auditWitnessUrl, note);
  }

  private async post(url: string, note: string): Promise<void> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: note,
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
      if (!response.ok) this.logger.warn({ status: response.status }, 'the audit witness refused a checkpoint');
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'the audit witness could not be reached');
    }
  }

  /** Every note the witness file holds, oldest first; none when there is no file yet. */
  async notes(): Promise<string[]> {
    return readWitnessFile(this.file);
  }
}

export async function readWitnessFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const notes: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const parsed = JSON.parse(line) as { note?: unknown };
      if (typeof parsed.note === 'string') notes.push(parsed.note);
    } catch {
      // A line torn by a crash mid-append carries no complete signature: nothing to compare.
    }
  }
  return notes;
}
