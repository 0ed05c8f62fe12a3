import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderApiReference } from '../../tools/api-reference.js';

it('docs/api-reference.md is what the operation table says (run `npm run docs` after changing it)', () => {
  const committed = readFileSync(new URL('../../docs/api-reference.md', import.meta.url), 'utf8');
  expect(committed).toBe(renderApiReference());
});
