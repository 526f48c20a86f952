import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';

const ROOT = resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The application compiled to JavaScript (src and migrations, as `npm run build` lays them
 * out), for specs that run its processes as an operator would. swc instead of tsc keeps it
 * under a second; the output lives inside the checkout so node_modules resolves. Call the
 * returned `remove` when done.
 */
export function compileApp(): { dir: string; remove: () => void } {
  const dir = join(ROOT, 'var', 'test-build', `${process.env.PASSAGE_TEST_RUN ?? 'run'}-${process.env.JEST_WORKER_ID ?? '1'}-${process.pid}`);
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'migrations'))]) {
    const output = transformFileSync(file, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const target = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.code);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
