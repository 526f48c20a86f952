import { readFileSync } from 'node:fs';
import type { OpenAPIObject } from '@nestjs/swagger';
import { generateOpenApiDocument, OPENAPI_FILE, serialiseOpenApiDocument } from '../src/cli/openapi';
import { TestApp } from './support/app';

const STALE = 'web/src/api/openapi.json is not what the API documents now: run `npm run openapi` and commit the file';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe('the OpenAPI contract the web app is generated from', () => {
  let generated: OpenAPIObject;
  let committed: string;

  beforeAll(async () => {
    generated = await generateOpenApiDocument();
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  });

  it('is committed exactly as the API produces it without a database', () => {
    const actual = serialiseOpenApiDocument(generated);
    if (actual !== committed) throw new Error(STALE);
    expect(actual).toBe(committed);
  });

  it('is the document the running API serves at /docs-json', async () => {
    const t = await TestApp.start();
    try {
      const served = await t.get<OpenAPIObject>('/docs-json');
      expect(served.status).toBe(200);
      expect(served.body).toEqual(JSON.parse(committed));
    } finally {
      await t.close();
    }
  });

  it('documents a response schema for every operation that answers a body', () => {
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries(generated.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, Operation>)) {
        const successes = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
        const documented = successes.some(
          ([status, response]) => status === '204' || Object.values(response.content ?? {}).some((media) => media.schema !== undefined),
        );
        if (!documented) undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
