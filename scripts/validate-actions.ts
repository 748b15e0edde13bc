// Validates action.yml and every GitHub workflow (.github/workflows/, examples/) against the JSON schemas that
// @action-validator/core bundles (SchemaStore's github-action and github-workflow schemas), so a typo in a
// workflow fails `npm run lint` here instead of on GitHub. A step that uses this action must pass only inputs
// that action.yml declares, and every required one (the schemas cannot know our inputs).
//
//   tsx scripts/validate-actions.ts            action.yml, .github/workflows/*.yml, examples/*.yml
//   tsx scripts/validate-actions.ts FILE...    these files (action.yml / action.yaml: an action, else a workflow)
//
// One override, and only one: @action-validator/core 0.6.0 (its newest release) bundles the github-action schema
// of December 2024, whose `runs.using` enum stops at node20; GitHub runners have run `using: node24` since 2025.
// An action.yml whose `runs.using` is node24 is therefore validated as if it said node20 (the schema's node
// branch is the same for every Node version; nothing else is relaxed). Before validating anything, a self-check
// proves the validator still rejects broken files, and fails once the bundled schema accepts node24 by itself,
// so that the override is removed as soon as it is no longer needed.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAction, validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse, parseDocument } from 'yaml';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Runtimes GitHub runs that the bundled schema does not list yet, and the listed one read in their place. */
const NEWER_NODE_RUNTIMES = new Set(['node24']);
const SCHEMA_NODE_RUNTIME = 'node20';

type Kind = 'action' | 'workflow';

export function kindOf(path: string): Kind {
  return /(^|\/)action\.ya?ml$/.test(path) ? 'action' : 'workflow';
}

/** One line per problem; an empty list when the file is valid. */
export function validate(kind: Kind, text: string): string[] {
  const problems = kind === 'action' ? validateAction(withSchemaRuntime(text)).errors : validateWorkflow(text).errors;
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    data = undefined; // a parse error: the validator reported it with its line and column
  }
  return problems.map((error) => describe(error, data));
}

function withSchemaRuntime(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text; // the validator reports the parse error itself
  const using = doc.getIn(['runs', 'using']);
  if (typeof using !== 'string' || !NEWER_NODE_RUNTIMES.has(using)) return text;
  doc.setIn(['runs', 'using'], SCHEMA_NODE_RUNTIME);
  return doc.toString();
}

/** The value at a JSON pointer (`/jobs/build/steps/0`), to show what an enum or type error was given. */
function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const key of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

function describe(error: ValidationError, data: unknown): string {
  const at = 'path' in error && error.path ? error.path : '/';
  if ('location' in error && error.location) {
    return `line ${error.location.line}, column ${error.location.column}: ${error.title}: ${error.detail}`;
  }
  const states = 'states' in error ? error.states : undefined;
  if (states && states.length > 0) {
    // No branch of a oneOf matched: show the branch that came closest (fewest errors), the one most likely meant.
    const closest = [...states].sort((a, b) => a.errors.length - b.errors.length)[0]!;
    return `${at}: matches no allowed form; closest: ${closest.errors.map((e) => describe(e, data)).join('; ')}`;
  }
  const given = valueAt(data, at === '/' ? '' : at);
  const shown = ['enum', 'const', 'wrong_type'].includes(error.code) && given !== undefined;
  const detail = error.detail ? ` (${error.detail})` : '';
  return `${at}: ${error.title}${detail}${shown ? `, got ${JSON.stringify(given)}` : ''}`;
}

/** The inputs of action.yml, and which are required. */
export function actionInputs(actionText: string): Map<string, boolean> {
  const action = parse(actionText) as { inputs?: Record<string, { required?: boolean | string }> };
  return new Map(Object.entries(action.inputs ?? {}).map(([name, spec]) => [name, String(spec?.required) === 'true']));
}

/** A step using this action (`./`, `<owner>/eks-pod-iam@<ref>`) must give declared inputs, and every required one. */
export function checkUsesOfThisAction(workflowText: string, inputs: Map<string, boolean>): string[] {
  const workflow = parse(workflowText) as { jobs?: Record<string, { steps?: unknown[] }> } | null;
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow?.jobs ?? {})) {
    (job?.steps ?? []).forEach((step, index) => {
      const { uses, with: given } = (step ?? {}) as { uses?: unknown; with?: Record<string, unknown> };
      if (typeof uses !== 'string' || !isThisAction(uses)) return;
      const at = `/jobs/${jobId}/steps/${index}`;
      for (const name of Object.keys(given ?? {})) {
        if (!inputs.has(name)) problems.push(`${at}/with/${name}: ${uses} has no input '${name}' (see action.yml)`);
      }
      for (const [name, required] of inputs) {
        if (required && !(name in (given ?? {}))) problems.push(`${at}/with: ${uses} requires the input '${name}'`);
      }
    });
  }
  return problems;
}

function isThisAction(uses: string): boolean {
  return uses === './' || uses === '.' || /^[\w.-]+\/eks-pod-iam@/.test(uses);
}

/** The validator must reject a broken workflow and action, and the node24 override must still be needed. */
export function selfCheck(): string[] {
  const failures: string[] = [];
  const typoWorkflow = 'on: push\njobs:\n  a:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo\n';
  if (validate('workflow', typoWorkflow).length === 0) failures.push('accepts a workflow with `runs_on`');
  const node42 = "name: a\ndescription: b\nruns:\n  using: 'node42'\n  main: index.js\n";
  if (validate('action', node42).length === 0) failures.push('accepts an action with `using: node42`');
  const node24 = "name: a\ndescription: b\nruns:\n  using: 'node24'\n  main: index.js\n";
  if (validateAction(node24).errors.length === 0) {
    failures.push('the bundled schema now accepts `using: node24`: remove the node24 override in this script');
  }
  return failures;
}

function defaultFiles(): string[] {
  const files = ['action.yml'];
  for (const dir of ['.github/workflows', 'examples']) {
    if (!existsSync(join(ROOT, dir))) continue;
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(`${dir}/${name}`);
    }
  }
  return files;
}

function main(args: string[]): number {
  const broken = selfCheck();
  if (broken.length > 0) {
    for (const failure of broken) console.error(`validate-actions self-check: the validator ${failure}`);
    return 1;
  }
  const inputs = actionInputs(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
  const files = args.length > 0 ? args : defaultFiles().map((file) => join(ROOT, file));
  let failed = 0;
  for (const file of files) {
    const kind = kindOf(file);
    const text = readFileSync(file, 'utf8');
    const problems = validate(kind, text);
    if (kind === 'workflow' && problems.length === 0) problems.push(...checkUsesOfThisAction(text, inputs));
    const name = relative(process.cwd(), file) || file;
    if (problems.length === 0) continue;
    failed += 1;
    for (const problem of problems) console.error(`${name}: ${problem}`);
  }
  if (failed > 0) {
    console.error(`${failed} of ${files.length} action/workflow files are not valid.`);
    return 1;
  }
  console.log(`${files.length} action/workflow files valid.`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
