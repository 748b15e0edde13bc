// A maintainer's check of a preset against a newer upstream document: what the newer document grants that the
// preset does not, and the reverse, by meaning — each statement taken apart into grants (effect, action, resource,
// condition), so key order, white space and string-or-list do not count. Wildcards are compared as written
// (`ec2:Describe*` is not expanded). Exit code: 0 the same, 1 different, 2 cannot compare (usage, not a policy).
//
//   npm run presets:diff -- <preset> <upstream.json> [key=value[,value] ...]   (parameters default as in the data)
//   npm run presets:diff -- --sources        one line per preset: name, its pinned source, the source at HEAD
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonical, parsePolicy, statementsOf, type Statement } from '../src/core/policy-doc.js';
import type { PolicyDocument } from '../src/inputs/config.js';
import { PRESET_NAMES, presetInfo } from '../src/presets/index.js';
import { samplePreset } from './preset-sample.js';

interface Grant {
  key: string;
  text: string;
  statement: string;
}

/** A string-or-list value of a policy (non-strings are written as JSON, as IAM would keep them). */
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));

/** A statement as its grants: one per action and resource, each with the statement's effect and condition. */
function grantsOf(doc: PolicyDocument): Grant[] {
  return statementsOf(doc).flatMap((s: Statement, i) => {
    const statement = typeof s.Sid === 'string' && s.Sid ? `"${s.Sid}"` : `#${i + 1}`;
    const actionKey = 'NotAction' in s ? 'NotAction' : 'Action';
    const resourceKey = 'NotResource' in s ? 'NotResource' : 'Resource';
    const condition = s.Condition ? JSON.stringify(canonical(conditionLists(s.Condition))) : '';
    return list(s[actionKey]).flatMap((action) =>
      list(s[resourceKey]).map((resource) => {
        const not = (key: string) => (key.startsWith('Not') ? 'not ' : '');
        const text =
          `${String(s.Effect)} ${not(actionKey)}${action} on ${not(resourceKey)}${resource}` +
          (condition ? ` when ${condition}` : '');
        // IAM reads action names regardless of case.
        const key = `${String(s.Effect)}|${actionKey}|${action.toLowerCase()}|${resourceKey}|${resource}|${condition}`;
        return { key, text, statement };
      }),
    );
  });
}

/** Condition values as lists (a single value and a one-element list mean the same). */
const conditionLists = (c: unknown) =>
  Object.fromEntries(
    Object.entries(c as Record<string, Record<string, unknown>>).map(([op, kv]) => [
      op,
      Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, list(v)])),
    ]),
  );

/** The differences, as lines; none when the documents grant the same. */
export function diffDocuments(ours: PolicyDocument, upstream: PolicyDocument): string[] {
  const mine = grantsOf(ours);
  const theirs = grantsOf(upstream);
  const mineKeys = new Set(mine.map((g) => g.key));
  const theirKeys = new Set(theirs.map((g) => g.key));
  const added = theirs.filter((g) => !mineKeys.has(g.key));
  const removed = mine.filter((g) => !theirKeys.has(g.key));
  const byStatement = (grants: Grant[], sign: string, whose: string) =>
    [...new Set(grants.map((g) => g.statement))].flatMap((st) => [
      `${whose} statement ${st}:`,
      ...[...new Set(grants.filter((g) => g.statement === st).map((g) => `  ${sign} ${g.text}`))],
    ]);
  return [...byStatement(added, '+', 'only upstream, in its'), ...byStatement(removed, '-', 'only the preset, in its')];
}

/** The preset (parameters at their defaults unless given) against an upstream document. */
export function diffPreset(name: string, upstream: PolicyDocument, params: Record<string, string[]> = {}): string[] {
  const preset = samplePreset(name, params);
  if (!preset.document)
    throw new Error(
      `preset "${name}" attaches AWS managed policies only (${preset.awsManagedPolicyArns.join(', ')}): ` +
        'there is no document of ours to compare.',
    );
  return diffDocuments(preset.document, upstream);
}

/** A GitHub source at its pinned tag, and the same file on the default branch (what a newer upstream is). */
export function headOf(source: string): string {
  const raw = /^https:\/\/raw\.githubusercontent\.com\/([^/]+)\/([^/]+)\/[^/]+\/(.+)$/.exec(source);
  if (raw) return `https://raw.githubusercontent.com/${raw[1]}/${raw[2]}/HEAD/${raw[3]}`;
  const blob = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/blob\/[^/]+\/(.+)$/.exec(source);
  if (blob) return `https://raw.githubusercontent.com/${blob[1]}/${blob[2]}/HEAD/${blob[3]}`;
  return source;
}

function main(args: string[]): number {
  if (args[0] === '--sources') {
    for (const name of PRESET_NAMES) {
      const { source } = presetInfo(name)!.upstream;
      console.log([name, source, headOf(source)].join('\t'));
    }
    return 0;
  }
  const [name, file, ...rest] = args;
  if (!name || !file) {
    console.error('usage: npm run presets:diff -- <preset> <upstream.json> [key=value[,value] ...] | --sources');
    return 2;
  }
  const params = Object.fromEntries(rest.map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1).split(',')]));
  let upstream: PolicyDocument;
  try {
    upstream = parsePolicy(readFileSync(file, 'utf8').trim());
    if (!upstream || typeof upstream !== 'object' || !('Statement' in upstream)) throw new Error('no "Statement"');
  } catch (e) {
    console.error(`${file} is not a JSON IAM policy document (${(e as Error).message}): compare it by hand.`);
    return 2;
  }
  let lines: string[];
  try {
    lines = diffPreset(name, upstream, params);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { version, source } = presetInfo(name)!.upstream;
  if (lines.length === 0) {
    console.log(`${name} (${version}) grants what ${file} grants.`);
    return 0;
  }
  console.log(`${name} (${version}, from ${source}) differs from ${file}:`);
  for (const line of lines) console.log(line);
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
