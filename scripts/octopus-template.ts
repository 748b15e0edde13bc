// The Octopus Deploy step template, generated from action.yml (the single source of truth).
//   npm run octopus          rewrites octopus-step-templates/ when it is stale
//   npm run octopus -- --check exits 1 when the committed files are stale, writes nothing
// Version and $Meta.ExportedAt come from the meta file beside the template and change only when the hash of
// everything else changes, so regenerating an unchanged template is byte-identical (CI rebuilds and diffs).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const TEMPLATE_PATH = 'octopus-step-templates/aws-eks-pod-iam.json';
// Not .json: in the Library's step-templates/ folder every .json file is taken for a template.
export const META_PATH = 'octopus-step-templates/aws-eks-pod-iam.meta.yml';

/** The template's Id: generated once, never changed (the Library and Octopus know the template by it). */
export const TEMPLATE_ID = '3a94e920-27fc-4d60-b76d-fe3de7a7f2d4';
export const PREFIX = 'EksPodIam';
export const PACKAGE_PARAM = `${PREFIX}.Package`;
export const ACCOUNT_PARAM = `${PREFIX}.AwsAccount`;
/** Octopus version the format targets (execution containers, AWS account parameters, deferred packages). */
const OCTOPUS_VERSION = '2024.1.0';

interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
}
interface Action {
  author: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description: string }>;
}

/**
 * UUIDv5 (RFC 9562) of a name under the template's Id: parameter and package Ids are stable for as long as
 * the name is, with nothing to record; renaming a parameter is a breaking change anyway.
 */
export function stableId(name: string): string {
  const ns = Buffer.from(TEMPLATE_ID.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `cluster-name` → `EksPodIam.ClusterName`. */
export const parameterName = (input: string) =>
  `${PREFIX}.${input
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')}`;

const ACRONYMS: Record<string, string> = { aws: 'AWS', arn: 'ARN', arns: 'ARNs' };
const LABELS: Record<string, string> = {
  'install-agent': 'Install the Pod Identity agent',
  'wait-timeout': 'Wait timeout (seconds)',
};
const label = (input: string) =>
  LABELS[input] ??
  input
    .split('-')
    .map((w, i) => ACRONYMS[w] ?? (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');

const MULTI_LINE = new Set(['policy-arns', 'inline-policy', 'tags', 'bindings', 'presets']);
const SELECT: Record<string, string> = { mode: 'pod-identity|EKS Pod Identity\nirsa|IAM roles for service accounts' };
// A kubeconfig (path or content) can carry a client key or token: Octopus keeps it encrypted and masks it in logs.
const SENSITIVE = new Set(['kubeconfig']);
// Where Octopus differs from a GitHub runner.
const NOTES: Record<string, string> = {
  'aws-region': 'In Octopus this is also the region of the AWS step itself: set it.',
  kubeconfig:
    'Usually left empty. For kubeconfig content, bind this to a sensitive variable, e.g. `#{Project.Kubeconfig}`.',
  bindings:
    'Paste the manifest (YAML) here, or bind it to a project variable. With one tenant per cluster, set Cluster ' +
    'name to a tenant variable (e.g. `#{Tenant.EksCluster}`) and keep one Bindings value for every tenant: each run ' +
    "binds its own cluster's items and lists the others as skipped.",
};
const isBoolean = (i: ActionInput) => i.default === 'true' || i.default === 'false';

type Parameter = {
  Id: string;
  Name: string;
  Label: string;
  HelpText: string;
  DefaultValue: string;
  DisplaySettings: Record<string, string>;
};

function inputParameter(input: string, spec: ActionInput): Parameter {
  const control = SELECT[input]
    ? 'Select'
    : isBoolean(spec)
      ? 'Checkbox'
      : SENSITIVE.has(input)
        ? 'Sensitive'
        : MULTI_LINE.has(input)
          ? 'MultiLineText'
          : 'SingleLineText';
  const help = [spec.required ? `Required. ${spec.description}` : spec.description, NOTES[input]]
    .filter(Boolean)
    .join('\n\n');
  const def = spec.default ?? '';
  return {
    Id: stableId(parameterName(input)),
    Name: parameterName(input),
    Label: label(input),
    HelpText: help,
    DefaultValue: isBoolean(spec) ? (def === 'true' ? 'True' : 'False') : def,
    DisplaySettings: {
      'Octopus.ControlType': control,
      ...(SELECT[input] ? { 'Octopus.SelectOptions': SELECT[input] } : {}),
    },
  };
}

/**
 * Which server, project and task ran the step: the bundle tags what it creates with them (provenance,
 * src/platform/octopus.ts reads these variables).
 */
const PROVENANCE = [
  ['EKS_POD_IAM_OCTOPUS_SERVER_URI', 'Octopus.Web.ServerUri'],
  ['EKS_POD_IAM_OCTOPUS_PROJECT', 'Octopus.Project.Name'],
  ['EKS_POD_IAM_OCTOPUS_TASK_ID', 'Octopus.Task.Id'],
].map(([env, variable]) => `  "${env}=$(get_octopusvariable "${variable}")" \\`);

/** Bash run by Octopus; the bundle itself prints the setVariable / resultMessage service messages. */
export function scriptBody(action: Action): string {
  const pkg = (field: string) => `$(get_octopusvariable "Octopus.Action.Package[${PACKAGE_PARAM}].${field}")`;
  // Bash cannot export a name with a hyphen; env(1) can pass one. get_octopusvariable keeps multi-line values.
  const inputs = Object.keys(action.inputs).map(
    (n) => `  "INPUT_${n.toUpperCase()}=$(get_octopusvariable "${parameterName(n)}")" \\`,
  );
  return `# EKS Pod IAM: runs the eks-pod-iam bundle (dist/index.js, Node.js >= 20) from the package ${PACKAGE_PARAM}.
# Generated from action.yml by scripts/octopus-template.ts: change the generator, not this text.
set -euo pipefail

package_dir=${pkg('ExtractedPath')}
package_ref="${pkg('PackageId')} ${pkg('PackageVersion')}"

if ! command -v node >/dev/null 2>&1; then
  fail_step "EKS Pod IAM needs Node.js 20 or later and there is no node on this worker's PATH. Run the step in an \
execution container that has it (the octopusdeploy/worker-tools Ubuntu image) or install Node.js on the worker."
fi
node_version=$(node --version 2>/dev/null || true)
node_major=\${node_version#v}
node_major=\${node_major%%.*}
case $node_major in
  '' | *[!0-9]*) node_major=0 ;;
esac
if [ "$node_major" -lt 20 ]; then
  fail_step "EKS Pod IAM needs Node.js 20 or later; this worker's node ($(command -v node)) is \
\${node_version:-unknown}. Run the step in an execution container that has it (the octopusdeploy/worker-tools Ubuntu \
image) or upgrade Node.js on the worker."
fi

if [ -z "$package_dir" ] || [ ! -d "$package_dir" ]; then
  fail_step "EKS Pod IAM: the package ${PACKAGE_PARAM} was not extracted on this worker; select the eks-pod-iam \
package in the step."
fi
bundle=""
# A GitHub feed's package has dist/ at its root; a hand-made zip may nest it one folder down.
for candidate in "$package_dir/dist/index.js" "$package_dir"/*/dist/index.js; do
  if [ -f "$candidate" ]; then bundle=$candidate; break; fi
done
if [ -z "$bundle" ]; then
  fail_step "EKS Pod IAM: the package $package_ref has no dist/index.js (extracted to $package_dir). Select a release \
of the eks-pod-iam action, or a zip that holds its dist/ folder."
fi

echo "EKS Pod IAM: $package_ref on Node.js $node_version"
status=0
env EKS_POD_IAM_PLATFORM=octopus \\
${[...PROVENANCE, ...inputs].join('\n')}
  node "$bundle" || status=$?
exit "$status"
`;
}

function description(action: Action): string {
  const outputs = Object.keys(action.outputs)
    .map((o) => `\`${o}\``)
    .join(', ');
  return `Gives an AWS IAM role to the pods of a Kubernetes service account on Amazon EKS, idempotently, in one step: \
a rerun changes nothing, and a dry run prints the plan and writes nothing. It automates the Octopus blog runbook \
*How to assign an IAM role as an EKS Pod Identity for the Octopus Kubernetes worker* (service account \
\`octopus-agent-scripts\` of the [Kubernetes worker](https://octopus.com/docs/infrastructure/workers/kubernetes-worker)) \
and works for any service account.

- **EKS Pod Identity** (default): creates or updates the role and merges a trust statement for \
\`pods.eks.amazonaws.com\`, attaches the policies, installs the \`eks-pod-identity-agent\` add-on and waits until it \
is ACTIVE, creates (or updates) the pod identity association, and creates the namespace and service account when asked.
- **IRSA** (IAM roles for service accounts): creates the cluster's IAM OIDC provider, merges a web-identity trust \
statement for \`system:serviceaccount:<namespace>:<service account>\`, attaches the policies, and creates the service \
account or adds the \`eks.amazonaws.com/role-arn\` annotation to an existing one (e.g. the one the Kubernetes agent's \
Helm chart created).

Trust policies are merged, never replaced; nothing it did not create is removed.

**Requirements**
- **Node.js 20 or later** on the worker: run the step in an execution container such as the \
\`octopusdeploy/worker-tools\` Ubuntu image.
- The **package** that carries the action's \`dist/\` folder: a GitHub repository feed with package ID \
\`eks-pod-iam/eks-pod-iam\` (its release tags are the versions), or a zip holding \`dist/\` in the built-in feed.
- An **AWS account** allowed to manage IAM roles and policies and EKS add-ons and pod identity associations. To create \
or annotate service accounts it also needs an EKS access entry (or \`aws-auth\` mapping) that may read and create \
namespaces and service accounts.

**Output variables**: ${outputs}, e.g. \`#{Octopus.Action[Step name].Output.role-arn}\`.`;
}

export interface TemplateState {
  version: number;
  exportedAt: string;
}

/** The template text for a given Version/ExportedAt (pure: the same inputs give the same bytes). */
export function renderTemplate(actionYml: string, state: TemplateState): string {
  const action = parse(actionYml) as Action;
  const parameters: Parameter[] = [
    {
      Id: stableId(ACCOUNT_PARAM),
      Name: ACCOUNT_PARAM,
      Label: 'AWS account',
      HelpText:
        'The AWS account (access keys, OIDC or role) the step runs as; ' +
        'its credentials reach the program through the standard AWS_* variables.',
      DefaultValue: '',
      DisplaySettings: { 'Octopus.ControlType': 'AmazonWebServicesAccount' },
    },
    ...Object.entries(action.inputs).map(([name, spec]) => inputParameter(name, spec)),
    {
      Id: stableId(PACKAGE_PARAM),
      Name: PACKAGE_PARAM,
      Label: 'eks-pod-iam package',
      HelpText:
        'The eks-pod-iam action, which carries dist/index.js: from a GitHub repository feed, ' +
        'package ID `eks-pod-iam/eks-pod-iam` (release tags are the versions), or a zip holding `dist/`.',
      DefaultValue: '',
      DisplaySettings: { 'Octopus.ControlType': 'Package' },
    },
  ];
  const template = {
    Id: TEMPLATE_ID,
    Name: 'AWS - EKS Pod IAM (Pod Identity / IRSA)',
    Description: description(action),
    ActionType: 'Octopus.AwsRunScript',
    Version: state.version,
    CommunityActionTemplateId: null,
    Packages: [
      {
        Id: stableId(`package:${PACKAGE_PARAM}`),
        Name: PACKAGE_PARAM,
        PackageId: null,
        FeedId: null,
        AcquisitionLocation: 'Server',
        Properties: { Extract: 'True', SelectionMode: 'deferred', PackageParameterName: PACKAGE_PARAM, Purpose: '' },
      },
    ],
    Properties: {
      'Octopus.Action.Script.ScriptSource': 'Inline',
      'Octopus.Action.Script.Syntax': 'Bash',
      'Octopus.Action.Script.ScriptBody': scriptBody(action),
      'Octopus.Action.AwsAccount.Variable': `#{${ACCOUNT_PARAM}}`,
      'Octopus.Action.Aws.Region': `#{${parameterName('aws-region')}}`,
      'Octopus.Action.Aws.AssumeRole': 'False',
      'Octopus.Action.AwsAccount.UseInstanceRole': 'False',
      OctopusUseBundledTooling: 'False',
    },
    Parameters: parameters,
    StepPackageId: 'Octopus.AwsRunScript',
    $Meta: { ExportedAt: state.exportedAt, OctopusVersion: OCTOPUS_VERSION, Type: 'ActionTemplate' },
    LastModifiedBy: action.author,
    Category: 'aws',
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}

interface Meta extends TemplateState {
  contentHash: string;
}

const contentHash = (actionYml: string) =>
  `sha256:${createHash('sha256')
    .update(renderTemplate(actionYml, { version: 0, exportedAt: '' }))
    .digest('hex')}`;

function readMeta(text: string | undefined): Meta | undefined {
  const m = text ? (parse(text) as Partial<Meta> | null) : undefined;
  return m?.version && m.exportedAt && m.contentHash
    ? { version: m.version, exportedAt: m.exportedAt, contentHash: m.contentHash }
    : undefined;
}

const metaText = (
  m: Meta,
) => `# Written by scripts/octopus-template.ts; do not edit. Version and exportedAt change only with contentHash,
# the hash of the template without them.
version: ${m.version}
exportedAt: ${JSON.stringify(m.exportedAt)}
contentHash: ${m.contentHash}
`;

export interface Generated {
  template: string;
  meta: string;
  version: number;
  bumped: boolean;
}

/** What the two files should hold, given action.yml and the committed meta file (pure). */
export function generate(
  actionYml: string,
  committedMeta: string | undefined,
  now: () => Date = () => new Date(),
): Generated {
  const hash = contentHash(actionYml);
  const old = readMeta(committedMeta);
  const meta: Meta =
    old?.contentHash === hash
      ? old
      : { version: (old?.version ?? 0) + 1, exportedAt: now().toISOString(), contentHash: hash };
  return {
    template: renderTemplate(actionYml, meta),
    meta: metaText(meta),
    version: meta.version,
    bumped: meta !== old,
  };
}

const read = (root: string, path: string) =>
  existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined;

/** The files whose committed text differs from what the generator produces (empty = current). */
export function staleFiles(root = ROOT): string[] {
  const g = generate(readFileSync(join(root, 'action.yml'), 'utf8'), read(root, META_PATH));
  return (
    [
      [TEMPLATE_PATH, g.template],
      [META_PATH, g.meta],
    ] as const
  )
    .filter(([p, text]) => read(root, p) !== text)
    .map(([p]) => p);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stale = staleFiles();
  if (process.argv.includes('--check')) {
    if (stale.length) {
      console.error(`Stale (run \`npm run octopus\`): ${stale.join(', ')}`);
      process.exit(1);
    }
  } else if (stale.length) {
    const g = generate(readFileSync(join(ROOT, 'action.yml'), 'utf8'), read(ROOT, META_PATH));
    mkdirSync(join(ROOT, 'octopus-step-templates'), { recursive: true });
    writeFileSync(join(ROOT, TEMPLATE_PATH), g.template);
    writeFileSync(join(ROOT, META_PATH), g.meta);
    console.log(`${TEMPLATE_PATH}: Version ${g.version}${g.bumped ? ' (content changed)' : ''}`);
  }
}
