/**
 * What `npm pack` ships is self-consistent: every dist/**\/*.js.map names ../src/*.ts, which is not
 * shipped, so the maps embed their sources (or debuggers, `node --enable-source-maps` traces and
 * bundlers' source-map loaders point at files missing from node_modules/wasm-ipam); no build
 * cache; the licence the package declares; the parameter reference the README names.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let shipped: Set<string>;

beforeAll(() => {
  // --ignore-scripts: list what would be packed from the current build without rebuilding
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  shipped = new Set((JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
});

it('every shipped source map resolves its sources inside the package (or embeds them)', () => {
  const dangling: string[] = [];
  for (const file of shipped) {
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { sources: string[]; sourceRoot?: string; sourcesContent?: Array<string | null> };
    map.sources.forEach((source, i) => {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '', source));
      if (!shipped.has(target) && typeof map.sourcesContent?.[i] !== 'string') dangling.push(`${file} -> ${target}`);
    });
  }
  expect(dangling.slice(0, 5)).toEqual([]);
});

it('ships no build-cache files, and the licence', () => {
  expect([...shipped].filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
  expect(shipped.has('LICENSE')).toBe(true);
});

it('ships the parameter reference the README points to', () => {
  // README: "the parameter reference in `docs/api-reference.md`"; an installed package lacked it
  expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('docs/api-reference.md');
  expect(shipped.has('docs/api-reference.md')).toBe(true);
});
