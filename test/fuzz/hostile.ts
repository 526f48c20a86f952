import fc from 'fast-check';

/**
 * Generators of hostile input: the values a careless or malicious client sends. They are
 * plain data (JSON values, strings, raw bodies) so the same pieces serve paths, queries,
 * headers and bodies.
 */

const INJECTIONS = [
  "' OR '1'='1",
  '\'; DROP TABLE "case"; --',
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  "$$; COPY (SELECT 1) TO PROGRAM 'id'; $$",
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|'/C calc'!A0",
  '__proto__',
  'constructor',
  'prototype',
  '%s%s%s%s%n',
  '\\',
  '\\u0000',
  '\r\nSet-Cookie: x=y',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  'javascript:alert(1)',
];

const EDGE_STRINGS = [
  '',
  ' ',
  '    '.repeat(8),
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\uffff',
  '\ufffe',
  '\ufeff',
  '\u202e\u202d',
  '\u200b',
  '𝕏𝕐',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  'ǅ',
  'İ',
  'ß',
  '\t\n\r\v\f',
  '\u2028\u2029',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-0',
  '0',
  '-1',
  '1e309',
  '99999999999999999999999999',
  '0x7fffffff',
  '2026-13-45',
  '2026-02-30T25:61:61Z',
  '0000-00-00',
  '-271821-04-20T00:00:00Z',
  '275760-09-13T00:00:00.001Z',
  '1970-01-01T00:00:00.000Z',
  'Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  '{00000000-0000-0000-0000-000000000000}',
  '[]',
  '{}',
  '[[[[[[[[[[]]]]]]]]]]',
];

/** A lone (unpaired) surrogate, inside or at the edge of ordinary text. */
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 4 }))
  .map(([before, code, after]) => `${before}${String.fromCharCode(code)}${after}`);

/** Control characters, NUL included. */
const controlString = fc.array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 8 }).map((codes) => String.fromCharCode(...codes));

/** A long run, past every sensible length limit (the body limit is 1 MiB; most are below). */
const longString = fc.tuple(fc.constantFrom('a', 'é', '𝕏', '\u0000', ' ', '%'), fc.integer({ min: 256, max: 70_000 })).map(([unit, n]) => unit.repeat(n));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: controlString },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())) },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300, 0.5),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Nesting far past any sane depth; kept as a marker and written out by toJson, since JSON.stringify would overflow the stack. */
export class DeepNesting {
  constructor(
    readonly kind: 'array' | 'object',
    readonly depth: number,
  ) {}

  toJson(): string {
    return this.kind === 'array' ? '['.repeat(this.depth) + ']'.repeat(this.depth) : '{"a":'.repeat(this.depth) + '1' + '}'.repeat(this.depth);
  }
}

export const deepNesting: fc.Arbitrary<DeepNesting> = fc
  .tuple(fc.constantFrom('array' as const, 'object' as const), fc.integer({ min: 16, max: 6_000 }))
  .map(([kind, depth]) => new DeepNesting(kind, depth));

/** JSON text of a generated value; DeepNesting markers become the deep structure they stand for. */
export function toJson(value: unknown): string {
  if (value instanceof DeepNesting) return value.toJson();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const UNKNOWN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'isAdmin',
  'role',
  'id',
  'version',
  'leadOrganisationId',
  'organisationId',
  '',
  ' ',
  '\u0000',
  '$where',
  'a.b',
];

export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: hostileString },
    { weight: 2, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...UNKNOWN_KEYS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }) },
    { weight: 1, arbitrary: deepNesting },
  ),
})).value;

/** Field names a DTO does not declare, to be refused rather than stored. */
export const unknownKey = fc.oneof(fc.constantFrom(...UNKNOWN_KEYS.filter((key) => key !== '__proto__')), fc.string({ minLength: 1, maxLength: 12 }));

/** Raw bodies that are not the JSON they claim to be. */
export const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":',
    '[1,2',
    'null',
    'nul',
    'true',
    '"str"',
    '{"a":1}{"b":2}',
    '\u0000',
    '\ufeff{}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"a":01}',
    "{'a':1}",
    '{"a":NaN}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
  fc.integer({ min: 1_000, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1_000, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 1_000, max: 20_000 }).map((depth) => '['.repeat(depth)),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer({ min: 1_048_577, max: 1_300_000 }).map((size) => `{"a":"${'x'.repeat(size)}"}`),
);

export const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/problem+json',
  'application/json;;',
  'application/jsonx',
  'APPLICATION/JSON',
  '*/*',
  '',
];

/** Percent-encodes every byte of the string's UTF-8 form that is not unreserved (lone surrogates become U+FFFD). */
export function encodeComponent(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Path or query text sent as is: broken percent escapes, overlong UTF-8, encoded NUL and slashes. */
export const rawUrlPiece = fc.constantFrom(
  '%',
  '%zz',
  '%FF%FE',
  '%C0%80',
  '%ED%A0%80',
  '%00',
  '%2F..%2F',
  '..',
  '.',
  '%2e%2e',
  '%0d%0a',
  '%u0041',
  ';a=b',
  '%25',
  '%E2%80%AE',
  '%F0%9D%95%8F',
);

/** Cursors that look like ours (base64url of a JSON array) but hold nonsense. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  hostileJson.map((value) => Buffer.from(toJson(value), 'utf8').toString('base64url')),
  fc
    .tuple(
      fc.oneof(
        hostileString,
        fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
      ),
      fc.oneof(hostileString, fc.uuid()),
    )
    .map((parts) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url')),
  fc.tuple(hostileNumber, hostileString, hostileString).map((parts) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url')),
  fc.constantFrom('', '=', 'AAAA', '____', 'W10', 'WyJhIl0', 'bnVsbA', 'e30'),
);
