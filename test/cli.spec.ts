import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileApp } from './support/compiled';

const run = promisify(execFile);

/** Issue 14, finding 8: the operator commands work on the README's plain defaults (the embedded database). */
describe('command-line tools without DATABASE_URL', () => {
  let build: ReturnType<typeof compileApp>;
  let varDir: string;
  beforeAll(() => {
    build = compileApp();
    varDir = mkdtempSync(join(tmpdir(), 'passage-cli-'));
  });
  afterAll(() => {
    build.remove();
    rmSync(varDir, { recursive: true, force: true });
  });

  /** The environment of a fresh checkout: nothing set but where its ./var is. */
  const cli = (script: string) =>
    run(process.execPath, [join(build.dir, 'src', 'cli', script)], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PASSAGE_VAR_DIR: varDir },
      timeout: 120_000,
    });

  it('npm run audit:verify starts the embedded database, verifies and stops it', async () => {
    const { stdout } = await cli('audit-verify.js');
    expect(JSON.parse(stdout)).toMatchObject({ valid: true });
  }, 150_000);

  it('npm run keys:rotate works on the same embedded database', async () => {
    const { stdout } = await cli('rotate-keys.js');
    expect(stdout).toMatch(/^re-sealed 0 row\(s\) under key "dev1"/);
  }, 150_000);
});
