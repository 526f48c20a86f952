// Prints the gzipped size of the JavaScript the browser loads before the first screen: the entry
// chunk and the chunks index.html preloads. Route chunks loaded later are listed apart. Fails the
// build above the budget of issue 10 (250 kB).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 250 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
const gz = (file) => gzipSync(readFileSync(join(dist, file))).length;
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

const initialBytes = initial.reduce((sum, file) => sum + gz(file), 0);
const lazy = readdirSync(join(dist, 'assets')).filter((file) => file.endsWith('.js') && !initial.includes(`assets/${file}`));
const lazyBytes = lazy.reduce((sum, file) => sum + gz(join('assets', file)), 0);
const css = readdirSync(join(dist, 'assets')).filter((file) => file.endsWith('.css'));
const cssBytes = css.reduce((sum, file) => sum + gz(join('assets', file)), 0);

process.stdout.write(
  `web bundle: initial JavaScript ${kB(initialBytes)} gzipped in ${initial.length} file(s) (budget ${kB(BUDGET)}); ` +
    `lazy route and locale chunks ${kB(lazyBytes)} in ${lazy.length}; CSS ${kB(cssBytes)}\n`,
);
if (initialBytes > BUDGET) {
  process.stderr.write(`web bundle: initial JavaScript exceeds the budget by ${kB(initialBytes - BUDGET)}\n`);
  process.exit(1);
}
