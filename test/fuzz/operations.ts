import fc from 'fast-check';
import { CONTENT_TYPES, encodeComponent, hostileCursor, hostileJson, hostileString, rawBody, rawUrlPiece, toJson, unknownKey } from './hostile';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  path: string;
  label: string;
  parameters: Parameter[];
  bodySchema?: Schema;
  /** The status codes the document lists for this operation. */
  documented: Set<number>;
  secured: boolean;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      // A Server-Sent Events stream stays open until its token expires, so a request to it never
      // completes under inject; test/notifications-stream.spec.ts drives it over real HTTP instead.
      if (Object.values(operation.responses).some((response) => 'text/event-stream' in (response.content ?? {}))) continue;
      const content = operation.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path,
        label: `${method.toUpperCase()} ${path}`,
        parameters: operation.parameters ?? [],
        bodySchema: content['application/json']?.schema,
        documented: new Set(Object.keys(operation.responses).map(Number)),
        secured: (operation.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

/** One generated request, before the actor's token is added. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Which actor signs the request: an index into the actor pool, or a broken credential. */
  auth: { actor: number } | { raw: string } | null;
}

/** Real ids the fuzzer mixes into paths, queries and bodies so requests get past "not found". */
export interface Fixtures {
  ids: Record<string, string[]>;
  actorCount: number;
}

const SECTIONS = ['summary', 'identity', 'care', 'investigation', 'immigration'];

const BROKEN_AUTH = [
  'Bearer ',
  'Bearer x',
  'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.',
  'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
  'Basic YWRtaW46YWRtaW4=',
  'bearer',
  'Bearer \u0000',
  `Bearer ${'a'.repeat(9000)}`,
];

export class RequestGenerator {
  private readonly schemas: Record<string, Schema>;

  constructor(
    document: OpenApiDocument,
    private readonly fixtures: Fixtures,
  ) {
    this.schemas = document.components?.schemas ?? {};
  }

  requests(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    const path = fc.tuple(...pathNames.map((name) => this.pathValue(name))).map((values) => {
      let url = operation.path;
      pathNames.forEach((name, i) => (url = url.replace(`{${name}}`, values[i]!)));
      return url;
    });
    const query = this.query(operation.parameters.filter((p) => p.in === 'query'));
    const auth: fc.Arbitrary<FuzzRequest['auth']> = fc.oneof(
      { weight: 10, arbitrary: fc.nat({ max: this.fixtures.actorCount - 1 }).map((actor) => ({ actor })) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...BROKEN_AUTH).map((raw) => ({ raw })) },
    );
    const headerParams = operation.parameters.filter((p) => p.in === 'header');
    const extraHeaders = fc.record(
      Object.fromEntries(
        headerParams.map((p) => [
          p.name,
          fc.oneof(
            fc.constant('x'),
            hostileString.map((value) => value.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)),
          ),
        ]),
      ),
      { requiredKeys: [] },
    );
    const cookie = fc.option(
      fc.constantFrom('passage_refresh=x; passage_csrf=x', 'passage_refresh=; passage_csrf=', `passage_refresh=${'a'.repeat(5000)}`, 'passage_csrf=%00'),
      { nil: undefined },
    );
    const body = this.body(operation);
    return fc.record({ path, query, auth, extraHeaders, cookie, body }).map(({ path: p, query: q, auth: a, extraHeaders: h, cookie: c, body: b }) => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(h)) if (value !== undefined) headers[key] = value;
      if (c !== undefined) headers.cookie = c;
      if (b.contentType !== undefined) headers['content-type'] = b.contentType;
      return { method: operation.method, url: q ? `${p}?${q}` : p, headers, payload: b.payload, auth: a };
    });
  }

  private pathValue(name: string): fc.Arbitrary<string> {
    const known = name === 'section' ? SECTIONS : (this.fixtures.ids[name] ?? this.fixtures.ids.id ?? []);
    return fc.oneof(
      { weight: known.length > 0 ? 6 : 0, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x') },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 3, arbitrary: hostileString.filter((value) => value.length > 0).map((value) => encodeComponent(value.slice(0, 2000))) },
      { weight: 1, arbitrary: rawUrlPiece },
    );
  }

  private query(parameters: Parameter[]): fc.Arbitrary<string> {
    const pair = (name: string, schema: Schema | undefined): fc.Arbitrary<string> => {
      const value: fc.Arbitrary<string> =
        name === 'cursor'
          ? hostileCursor
          : fc.oneof(
              { weight: 3, arbitrary: this.plausible(schema, name, 0).map((v) => (typeof v === 'string' ? v : toJson(v)).slice(0, 3000)) },
              { weight: 3, arbitrary: hostileString.map((v) => v.slice(0, 3000)) },
            );
      return fc.oneof(
        { weight: 8, arbitrary: value.map((v) => `${encodeComponent(name)}=${encodeComponent(v)}`) },
        { weight: 1, arbitrary: rawUrlPiece.map((raw) => `${encodeComponent(name)}=${raw}`) },
        // Repeated keys arrive as arrays; bracketed keys as nested objects in some parsers.
        { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => `${name}=${encodeComponent(a)}&${name}=${encodeComponent(b)}`) },
        { weight: 1, arbitrary: value.map((v) => `${name}[a]=${encodeComponent(v)}`) },
      );
    };
    const declared = parameters.map((p) => fc.option(pair(p.name, p.schema), { nil: undefined, freq: 2 }));
    const unknown = fc.array(
      fc.tuple(unknownKey, hostileString).map(([key, value]) => `${encodeComponent(key)}=${encodeComponent(value.slice(0, 200))}`),
      { maxLength: 2 },
    );
    return fc
      .tuple(fc.tuple(...declared), fc.oneof({ weight: 6, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: unknown }))
      .map(([parts, extra]) => [...parts.filter((p): p is string => p !== undefined), ...extra].join('&'));
  }

  private body(operation: Operation): fc.Arbitrary<{ contentType?: string; payload?: string }> {
    const json = (value: unknown) => ({ contentType: 'application/json', payload: toJson(value) });
    const schema = operation.bodySchema;
    return fc.oneof(
      { weight: schema ? 8 : 0, arbitrary: schema ? this.withUnknownFields(this.plausible(schema, '', 0)).map(json) : fc.constant({}) },
      { weight: schema ? 2 : 6, arbitrary: fc.constant({}) },
      { weight: 2, arbitrary: hostileJson.map(json) },
      { weight: 1, arbitrary: rawBody.map((payload) => ({ contentType: 'application/json', payload })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...CONTENT_TYPES), fc.oneof(rawBody, hostileJson.map(toJson)))
          .map(([contentType, payload]) => ({ contentType, payload })),
      },
      { weight: 1, arbitrary: rawBody.map((payload) => ({ payload })) },
    );
  }

  private withUnknownFields(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    return fc.tuple(value, fc.option(fc.tuple(unknownKey, hostileJson), { freq: 5 })).map(([v, extra]) => {
      if (!extra || typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      return { ...v, [extra[0]]: extra[1] };
    });
  }

  private resolve(schema: Schema): Schema {
    if (schema.$ref) return this.resolve(this.schemas[schema.$ref.replace('#/components/schemas/', '')] ?? {});
    if (schema.allOf?.length === 1) return this.resolve(schema.allOf[0]!);
    return schema;
  }

  /** A value that mostly fits the schema, with hostile values mixed in at every level. */
  private plausible(raw: Schema | undefined, name: string, depth: number): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw ?? {});
    return fc.oneof({ weight: 6, arbitrary: this.fitting(schema, name, depth) }, { weight: 1, arbitrary: hostileJson });
  }

  private fitting(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
    if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants && variants.length > 0) return fc.oneof(...variants.map((variant) => this.fitting(this.resolve(variant), name, depth)));
    switch (schema.type) {
      case 'object': {
        if (depth > 4) return fc.constant({});
        const properties = schema.properties ?? {};
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [key, property] of Object.entries(properties)) record[key] = this.plausible(property, key, depth + 1);
        const required = (schema.required ?? []).filter((key) => key in record);
        return fc.record(record, { requiredKeys: required });
      }
      case 'array':
        return fc.array(this.plausible(schema.items, name, depth + 1), { maxLength: 4 });
      case 'integer':
      case 'number':
        return fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 1_000 });
      case 'boolean':
        return fc.boolean();
      default:
        return this.fittingString(schema, name);
    }
  }

  private fittingString(schema: Schema, name: string): fc.Arbitrary<string> {
    const idKey = /Id$/.test(name) ? name : undefined;
    const known = idKey ? (this.fixtures.ids[idKey] ?? this.fixtures.ids.organisationId ?? []) : [];
    if (known.length > 0) return fc.oneof(fc.constantFrom(...known), fc.uuid());
    if (schema.format === 'date-time' || /At$|^from$|^to$/.test(name))
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    if (schema.format === 'date' || /Date$|^dateOfBirth$/.test(name))
      return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    if (schema.format === 'email' || name === 'email') return fc.emailAddress();
    if (schema.format === 'uuid') return fc.uuid();
    if (name === 'password') return fc.string({ minLength: 12, maxLength: 40 });
    if (name === 'url') return fc.constantFrom('https://hooks.example.org/passage', 'http://127.0.0.1:9/x', 'https://[::1]/', 'ftp://example.org/');
    return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 60) });
  }
}
