import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderApiReference } from '../../tools/api-reference.js';
import { ERRORS } from '../../src/index.js';

const REFERENCE = readFileSync(new URL('../../docs/api-reference.md', import.meta.url), 'utf8');

it('docs/api-reference.md is what the operation table says (run `npm run docs` after changing it)', () => {
  expect(REFERENCE).toBe(renderApiReference());
});

/** The type cell of a parameter's row in an action's table. */
function typeCell(action: string, param: string): string {
  const start = REFERENCE.indexOf(`## ${action}\n`);
  const section = REFERENCE.slice(start, REFERENCE.indexOf('\n## ', start + 1));
  const row = section.split('\n').find((line) => line.startsWith(`| ${param} |`));
  expect(row, `${action} ${param}`).toBeDefined();
  return row!.split(' | ')[2]!.replace(/ \|$/, '');
}

// from a review of the reference against behaviour: it named no error code (sending readers to the
// README, which left 18 of them out), offered `public` scopes, took any 1–256 characters for a
// NextToken, gave tags their count alone and no parameter its default
it('lists every error code the API answers, with its HTTP status', () => {
  for (const [code, [status]] of Object.entries(ERRORS)) expect(REFERENCE).toContain(`| ${code} | ${status} |`);
});

it('says what the table\'s types do not: public scopes refused, tokens only from the list, the tag rules, defaults', () => {
  expect(typeCell('CreateIpamScope', 'IpamScopeType')).toContain('OperationDenied.UnsupportedScopeType');
  expect(typeCell('ListIpams', 'NextToken')).toMatch(/NextToken the same list returned/);
  expect(typeCell('CreateIpamPool', 'Tag')).toMatch(/Key 1–64 characters.*DuplicatedParam\.TagKey.*Value up to 128 characters/);
  expect(typeCell('ListIpamPools', 'Tags')).toMatch(/matches when it has every key/);
  expect(typeCell('ListIpams', 'MaxResults')).toMatch(/default 10$/);
  expect(typeCell('CreateIpamPool', 'AllocationStrategy')).toMatch(/default `first-fit`/);
  expect(typeCell('CreateIpamPool', 'IpVersion')).toMatch(/default the source pool's, else `IPv4`/);
  expect(typeCell('UpdateIpamPool', 'AllocationStrategy')).not.toMatch(/default/); // left out there: unchanged
});
