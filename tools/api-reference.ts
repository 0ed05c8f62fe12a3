/**
 * Writes docs/api-reference.md from the operation table, the single declaration of every action
 * and parameter (`npm run docs`); test/api/reference.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ParamSpec } from '../src/api/params.js';
import { OPERATIONS } from '../src/api/table.js';
import { MAX_TAGS } from '../src/api/limits.js';
import { ERRORS } from '../src/api/errors.js';

/** A parameter's type cell: its type and limits, then what leaving it out means and any rule of the operation's. */
function describeSpec(spec: ParamSpec): string {
  return [typeOf(spec), spec.default === undefined ? '' : `default ${spec.default}`, spec.note ?? ''].filter(Boolean).join('; ');
}

function typeOf(spec: ParamSpec): string {
  switch (spec.type) {
    case 'string': {
      const parts = ['string'];
      if (spec.oneOf) parts.push(`one of ${spec.oneOf.map((v) => `\`${v}\``).join(', ')}`);
      else if (spec.minLength !== undefined || spec.maxLength !== undefined) parts.push(`${spec.minLength ?? 0}–${spec.maxLength ?? '∞'} characters`);
      if (spec.rule === 'name') parts.push('not starting with http:// or https://');
      if (spec.rule === 'description') parts.push('starts with a letter, not with http:// or https://');
      if (spec.rule === 'scope-description') parts.push('starts with a letter that is not a Chinese character, not with http:// or https://');
      if (spec.rule === 'ascii') parts.push('printable ASCII');
      if (spec.rule === 'token') return 'string: a NextToken the same list returned (any other: IllegalParam.NextToken)';
      return parts.join(', ');
    }
    case 'integer':
      return `integer ${spec.min}–${spec.max}`;
    case 'boolean':
      return 'boolean (`true` / `false` on the wire)';
    case 'list':
      return `list of up to ${spec.maxItems} strings (\`Name.1\`, \`Name.2\`, … on the wire)`;
    case 'tags': {
      const tags = `up to ${MAX_TAGS} tags \`{ Key, Value }\` (\`Name.N.Key\` / \`Name.N.Value\` on the wire)`;
      if (spec.filter) return `${tags}: a resource matches when it has every key given (and value, when given)`;
      return `${tags}: Key 1–64 characters, not starting with http://, https://, aliyun or acs:, each key once (DuplicatedParam.TagKey); ` +
        'Value up to 128 characters, left out: the empty value';
    }
  }
}

export function renderApiReference(): string {
  const lines = [
    '# API reference',
    '',
    'Generated from `src/api/table.ts` by `npm run docs`; do not edit by hand. Behaviour: README.md; every error code',
    'with its HTTP status: [Error codes](#error-codes).',
    '',
  ];
  for (const op of OPERATIONS) {
    lines.push(`## ${op.action}`, '', `HTTP ${op.method} · ${op.mutates ? 'changes state (DryRun and ClientToken apply)' : 'read-only'}`, '');
    lines.push('| parameter | required | type |', '| --- | --- | --- |');
    for (const [name, spec] of Object.entries(op.params)) lines.push(`| ${name} | ${spec.required ? 'yes' : ''} | ${describeSpec(spec)} |`);
    lines.push('');
  }
  lines.push('## Error codes', '', 'Besides `MissingParam.<Name>` and `IllegalParam.<Name>` (400), named after the parameter.', '');
  lines.push('| code | HTTP | message |', '| --- | --- | --- |');
  for (const [code, [status, message]] of Object.entries(ERRORS)) lines.push(`| ${code} | ${status} | ${message.replaceAll('|', '\\|')} |`);
  lines.push('');
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(new URL('../docs/api-reference.md', import.meta.url), renderApiReference());
  console.log('wrote docs/api-reference.md');
}
