import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseEncryptionKeys } from './config';

const key = (bytes = 32): string => randomBytes(bytes).toString('base64');

describe('loadConfig', () => {
  let varDir: string;
  beforeEach(() => {
    varDir = mkdtempSync(join(tmpdir(), 'passage-config-'));
  });
  afterEach(() => rmSync(varDir, { recursive: true, force: true }));

  const production = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    NODE_ENV: 'production',
    PASSAGE_VAR_DIR: varDir,
    DATABASE_URL: 'postgres://passage@db:5432/passage',
    REDIS_URL: 'redis://redis:6379',
    DATA_ENCRYPTION_KEY: `k1:${key()}`,
    AUDIT_SIGNING_KEY: key(),
    JWT_SECRET: key(48),
    MATCH_INDEX_KEY: `m1:${key()}`,
    ...overrides,
  });

  const refusal = (env: Record<string, string | undefined>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loadConfig accepted the configuration');
  };

  describe('development', () => {
    it('has working defaults: embedded services, demo data, secrets generated into var/ readable by the owner only', () => {
      const config = loadConfig({ PASSAGE_VAR_DIR: varDir });
      expect(config).toMatchObject({ nodeEnv: 'development', port: 3000, publicUrl: 'http://localhost:3000', seedDemo: true, rateLimitPerMinute: 600 });
      expect(config.databaseUrl).toBeUndefined();
      expect(config.redisUrl).toBeUndefined();
      const file = join(varDir, 'secrets.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = loadConfig({ PASSAGE_VAR_DIR: varDir });
      expect(again.jwtSecret.equals(config.jwtSecret)).toBe(true);
      expect(again.encryptionKeys[0]!.key.equals(config.encryptionKeys[0]!.key)).toBe(true);
      expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object).sort()).toEqual(['AUDIT_SIGNING_KEY', 'DATA_ENCRYPTION_KEY', 'JWT_SECRET']);
      const matchFile = join(varDir, 'match-index-key');
      expect(statSync(matchFile).mode & 0o777).toBe(0o600);
      expect(again.matchIndexKeys[0]!.key.equals(config.matchIndexKeys[0]!.key)).toBe(true);
    });

    it('prefers explicit secrets and seeds only the embedded database unless told', () => {
      const jwt = key();
      const config = loadConfig({ PASSAGE_VAR_DIR: varDir, JWT_SECRET: jwt, DATABASE_URL: 'postgresql://localhost/passage', PORT: '8080' });
      expect(config.jwtSecret.equals(Buffer.from(jwt, 'base64'))).toBe(true);
      expect(config.seedDemo).toBe(false);
      expect(config.publicUrl).toBe('http://localhost:8080');
      expect(loadConfig({ PASSAGE_VAR_DIR: varDir, DATABASE_URL: 'postgresql://localhost/passage', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    });
  });

  describe('operations', () => {
    it('gives every checkout a Redis prefix of its own, the same for all its processes', () => {
      const other = mkdtempSync(join(tmpdir(), 'passage-config-'));
      try {
        const mine = loadConfig({ PASSAGE_VAR_DIR: varDir }).redisPrefix;
        expect(mine).toMatch(/^passage-[0-9a-f]{10}$/);
        expect(loadConfig({ PASSAGE_VAR_DIR: varDir }).redisPrefix).toBe(mine);
        expect(loadConfig({ PASSAGE_VAR_DIR: other }).redisPrefix).not.toBe(mine);
        expect(loadConfig({ PASSAGE_VAR_DIR: varDir, REDIS_PREFIX: 'shared' }).redisPrefix).toBe('shared');
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it.each<[string | undefined, boolean | string]>([
      [undefined, false],
      ['false', false],
      ['true', true],
      ['10.0.0.1', '10.0.0.1'],
      ['10.0.0.0/8, 192.168.1.1,::1', '10.0.0.0/8,192.168.1.1,::1'],
    ])('reads TRUST_PROXY=%s', (raw, expected) => {
      expect(loadConfig({ PASSAGE_VAR_DIR: varDir, TRUST_PROXY: raw }).trustProxy).toEqual(expected);
    });

    it('allows webhooks into private networks only when told', () => {
      expect(loadConfig({ PASSAGE_VAR_DIR: varDir }).webhookAllowPrivateNetworks).toBe(false);
      expect(loadConfig({ PASSAGE_VAR_DIR: varDir, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhookAllowPrivateNetworks).toBe(true);
    });
  });

  describe('refuses malformed variables with a line naming them', () => {
    it.each<[string, Record<string, string>, RegExp]>([
      ['NODE_ENV', { NODE_ENV: 'staging' }, /^NODE_ENV must be/],
      ['PORT (text)', { PORT: 'eighty' }, /^PORT must be a whole number/],
      ['PORT (range)', { PORT: '70000' }, /^PORT must be a whole number from 1 to 65535/],
      ['DATABASE_URL (protocol)', { DATABASE_URL: 'mysql://localhost/passage' }, /^DATABASE_URL must start with postgres:\/\//],
      ['DATABASE_URL (syntax)', { DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL/],
      ['REDIS_URL', { REDIS_URL: 'http://localhost:6379' }, /^REDIS_URL must start with redis:\/\//],
      ['SMTP_URL', { SMTP_URL: 'mail.example.org' }, /^SMTP_URL is not a valid URL/],
      ['PUBLIC_URL', { PUBLIC_URL: 'ftp://passage.example.org' }, /^PUBLIC_URL must start with http:\/\//],
      ['SEED_DEMO', { SEED_DEMO: 'yes' }, /^SEED_DEMO must be true or false/],
      ['RATE_LIMIT_PER_MINUTE', { RATE_LIMIT_PER_MINUTE: '0' }, /^RATE_LIMIT_PER_MINUTE must be a whole number/],
      ['REDIS_PREFIX', { REDIS_PREFIX: 'a b' }, /^REDIS_PREFIX may hold/],
      ['TRUST_PROXY (word)', { TRUST_PROXY: 'yes' }, /^TRUST_PROXY must be true, false, or the proxies/],
      ['TRUST_PROXY (range)', { TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY must be/],
      ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /^WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false/],
      ['JWT_SECRET (short)', { JWT_SECRET: key(16) }, /^JWT_SECRET must be base64 of at least 32/],
      ['AUDIT_SIGNING_KEY (short)', { AUDIT_SIGNING_KEY: 'c2hvcnQ=' }, /^AUDIT_SIGNING_KEY must be base64 of at least 32/],
      ['DATA_ENCRYPTION_KEY (no id)', { DATA_ENCRYPTION_KEY: key() }, /^DATA_ENCRYPTION_KEY must be keyId:base64key/],
      ['DATA_ENCRYPTION_KEY (length)', { DATA_ENCRYPTION_KEY: `k1:${key(16)}` }, /^DATA_ENCRYPTION_KEY key "k1" must be exactly 32 bytes/],
    ])('%s', (_name, env, expected) => {
      expect(refusal({ PASSAGE_VAR_DIR: varDir, ...env })).toMatch(expected);
    });

    it('never echoes a secret in the message', () => {
      const secret = key(16);
      expect(refusal({ PASSAGE_VAR_DIR: varDir, JWT_SECRET: secret })).not.toContain(secret);
    });
  });

  describe('production', () => {
    it('starts with explicit services and secrets', () => {
      const config = loadConfig(production());
      expect(config).toMatchObject({ nodeEnv: 'production', seedDemo: false, databaseUrl: 'postgres://passage@db:5432/passage' });
    });

    it.each(['DATA_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY', 'JWT_SECRET', 'MATCH_INDEX_KEY'])('refuses to start without %s', (name) => {
      expect(refusal(production({ [name]: undefined }))).toBe(`NODE_ENV=production needs explicit secrets: set ${name}`);
    });

    it('names every missing secret at once', () => {
      expect(refusal(production({ DATA_ENCRYPTION_KEY: undefined, JWT_SECRET: '' }))).toBe(
        'NODE_ENV=production needs explicit secrets: set DATA_ENCRYPTION_KEY, JWT_SECRET',
      );
    });

    it.each(['DATABASE_URL', 'REDIS_URL'])('refuses to start without %s', (name) => {
      expect(refusal(production({ [name]: undefined }))).toMatch(/^NODE_ENV=production needs DATABASE_URL and REDIS_URL/);
    });

    it.each(['DATA_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY', 'JWT_SECRET'] as const)('refuses the development-generated %s', (name) => {
      loadConfig({ PASSAGE_VAR_DIR: varDir });
      const generated = JSON.parse(readFileSync(join(varDir, 'secrets.json'), 'utf8')) as Record<string, string>;
      expect(refusal(production({ [name]: generated[name] }))).toMatch(/refuses the generated development secrets/);
    });

    it.each(['DATA_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY', 'JWT_SECRET'])('refuses the docker-compose.yml placeholder for %s', (name) => {
      expect(refusal(production({ [name]: 'change-me' }))).toMatch(new RegExp(`^${name} must be`));
    });

    it('refuses to seed the demo users, whose password is published, with one clear line', () => {
      expect(refusal(production({ SEED_DEMO: 'true' }))).toBe('SEED_DEMO=true is refused with NODE_ENV=production: the demo users have a published password');
    });

    it('keeps one fixed Redis prefix, since the API and the worker may run from different paths', () => {
      expect(loadConfig(production()).redisPrefix).toBe('passage');
    });

    it('keeps closed cases ten years per country unless told, and refuses a retention that is not a number of years from 1 to 100', () => {
      expect(loadConfig(production()).retentionYears).toEqual({ BE: 10, NL: 10, LU: 10 });
      expect(loadConfig(production({ RETENTION_YEARS_NL: '7', RETENTION_YEARS_LU: '30' })).retentionYears).toEqual({ BE: 10, NL: 7, LU: 30 });
      for (const raw of ['0', '101', '5.5', 'ten', '-1']) {
        expect(refusal(production({ RETENTION_YEARS_BE: raw }))).toBe(`RETENTION_YEARS_BE must be a whole number from 1 to 100, got "${raw}"`);
      }
    });

    it('does not generate secrets itself', () => {
      refusal(production({ JWT_SECRET: undefined }));
      refusal(production({ MATCH_INDEX_KEY: undefined }));
      expect(() => statSync(join(varDir, 'secrets.json'))).toThrow();
      expect(() => statSync(join(varDir, 'match-index-key'))).toThrow();
    });

    it('refuses the development-generated MATCH_INDEX_KEY', () => {
      loadConfig({ PASSAGE_VAR_DIR: varDir });
      const generated = readFileSync(join(varDir, 'match-index-key'), 'utf8').trim();
      expect(refusal(production({ MATCH_INDEX_KEY: generated }))).toMatch(/refuses the generated development secrets/);
    });

    it('reads several MATCH_INDEX_KEY keys, the first indexing', () => {
      const config = loadConfig(production({ MATCH_INDEX_KEY: `new:${key()},old:${key()}` }));
      expect(config.matchIndexKeys.map((k) => k.id)).toEqual(['new', 'old']);
      expect(refusal(production({ MATCH_INDEX_KEY: 'change-me' }))).toMatch(/^MATCH_INDEX_KEY must be keyId:base64key/);
    });
  });
});

describe('parseEncryptionKeys', () => {
  it('reads several keys, the first encrypting', () => {
    const keys = parseEncryptionKeys(`new:${key()}, old:${key()}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
  });

  it('refuses the same key id twice', () => {
    expect(() => parseEncryptionKeys(`k:${key()},k:${key()}`)).toThrow(new ConfigError('DATA_ENCRYPTION_KEY names the same key id twice'));
  });
});

describe('a corrupt development secrets file', () => {
  it.each([
    ['incomplete', '{"JWT_SECRET": "c2hvcnQ="}'],
    ['not JSON', 'JWT_SECRET=abc'],
  ])('(%s) is refused rather than silently replaced', (_label, content) => {
    const varDir = mkdtempSync(join(tmpdir(), 'passage-config-'));
    try {
      writeFileSync(join(varDir, 'secrets.json'), content);
      expect(() => loadConfig({ PASSAGE_VAR_DIR: varDir })).toThrow(ConfigError);
      expect(readFileSync(join(varDir, 'secrets.json'), 'utf8')).toBe(content);
    } finally {
      rmSync(varDir, { recursive: true, force: true });
    }
  });
});
