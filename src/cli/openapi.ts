import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { defaultWebRoot } from '../app-shell/app-shell';
import { createOpenApiDocument } from '../common/openapi';
import { loadConfig } from '../config/config';

/** Where the web app's typed client is generated from; committed, so a contract change shows in review. */
export const OPENAPI_FILE = join(dirname(defaultWebRoot()), 'src', 'api', 'openapi.json');

/**
 * The OpenAPI document without a database or Redis: in preview mode Nest builds the module graph
 * (routes, DTOs, decorators) but instantiates no provider, so nothing connects anywhere.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const key = randomBytes(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://openapi.invalid/passage',
    REDIS_URL: 'redis://openapi.invalid',
    DATA_ENCRYPTION_KEY: `openapi:${key}`,
    AUDIT_SIGNING_KEY: key,
    JWT_SECRET: key,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, config.databaseUrl!), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    app.setGlobalPrefix('api');
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/**
 * The committed file's exact text, so the staleness test compares bytes, not just shapes. Schemas
 * are sorted by name: Nest lists them in the order it meets them, which depends on how the code
 * was compiled (tsc for the script, swc under jest) and would make the file churn.
 */
export function serialiseOpenApiDocument(document: OpenAPIObject): string {
  const schemas = document.components?.schemas ?? {};
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  return `${JSON.stringify({ ...document, components: { ...document.components, schemas: sorted } }, null, 2)}\n`;
}

async function main(): Promise<void> {
  const document = await generateOpenApiDocument();
  mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
  writeFileSync(OPENAPI_FILE, serialiseOpenApiDocument(document));
  process.stdout.write(`passage: wrote ${OPENAPI_FILE} (${Object.keys(document.paths).length} paths)\n`);
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    process.stderr.write(`passage: openapi failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
