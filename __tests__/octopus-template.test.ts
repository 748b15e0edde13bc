// The Octopus step template: the community Library's own checks (spec/step-template-validation-tests.js)
// plus ours: one parameter per action.yml input, the right controls, stable Ids, and a committed file that
// is exactly what the generator produces (`npm run octopus`).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  ACCOUNT_PARAM,
  META_PATH,
  PACKAGE_PARAM,
  TEMPLATE_ID,
  TEMPLATE_PATH,
  generate,
  parameterName,
  renderTemplate,
  staleFiles,
} from '../scripts/octopus-template.js';

const root = new URL('../', import.meta.url);
const actionYml = readFileSync(new URL('action.yml', root), 'utf8');
const action = parse(actionYml) as {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
};
const raw = readFileSync(new URL(TEMPLATE_PATH, root));
const text = raw.toString('utf8');
const template = JSON.parse(text);
const meta = readFileSync(new URL(META_PATH, root), 'utf8');
type Param = {
  Id: string;
  Name: string;
  Label: string;
  HelpText: string;
  DefaultValue: string;
  DisplaySettings: Record<string, string>;
};
const params: Param[] = template.Parameters;
const param = (name: string) => params.find((p) => p.Name === name)!;
const control = (name: string) => param(name).DisplaySettings['Octopus.ControlType'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Library rules', () => {
  test('parses, has no BOM, ends with a newline', () => {
    expect([...raw.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect(text.endsWith('}\n')).toBe(true);
  });

  test('Id is a GUID, not a placeholder; Name at most 200 characters', () => {
    expect(template.Id).toMatch(GUID);
    expect(['00000000-0000-0000-0000-000000000000', 'abcdef00-ab00-cd00-ef00-000000abcdef']).not.toContain(template.Id);
    expect(template.Id).toBe(TEMPLATE_ID);
    expect(template.Name).toBe('AWS - EKS Pod IAM (Pod Identity / IRSA)');
    expect(template.Name.length).toBeLessThanOrEqual(200);
  });

  test('LastModifiedBy, $Meta, Version, Category and the AWS script action', () => {
    expect(template.LastModifiedBy).toEqual(expect.any(String));
    expect(new Date(template.$Meta.ExportedAt).toISOString()).toBe(template.$Meta.ExportedAt);
    expect(template.$Meta).toMatchObject({ OctopusVersion: expect.any(String), Type: 'ActionTemplate' });
    expect(Number.isInteger(template.Version) && template.Version >= 1).toBe(true);
    expect(template).toMatchObject({
      ActionType: 'Octopus.AwsRunScript',
      Category: 'aws',
      CommunityActionTemplateId: null,
    });
    expect(template.Properties).toMatchObject({
      'Octopus.Action.Script.ScriptSource': 'Inline',
      'Octopus.Action.Script.Syntax': 'Bash',
      'Octopus.Action.AwsAccount.Variable': `#{${ACCOUNT_PARAM}}`,
      'Octopus.Action.Aws.Region': '#{EksPodIam.AwsRegion}',
      'Octopus.Action.Aws.AssumeRole': 'False',
      'Octopus.Action.AwsAccount.UseInstanceRole': 'False',
    });
  });

  test('Description names both modes and the prerequisites', () => {
    for (const s of ['EKS Pod Identity', 'IRSA', 'Node.js 20', 'octopusdeploy/worker-tools', 'dist/', 'role-arn'])
      expect(template.Description).toContain(s);
  });

  // FeedId null (or a variable), acquired on the server, chosen through the Package parameter, extracted.
  test('the package: feed, acquisition, parameter and extraction', () => {
    expect(template.Packages).toHaveLength(1);
    for (const p of template.Packages) expect(p.FeedId === null || String(p.FeedId).startsWith('#')).toBe(true);
    expect(template.Packages[0]).toMatchObject({
      Name: PACKAGE_PARAM,
      PackageId: null,
      FeedId: null,
      AcquisitionLocation: 'Server',
      Properties: { Extract: 'True', SelectionMode: 'deferred', PackageParameterName: PACKAGE_PARAM },
    });
    expect(template.Packages[0].Id).toMatch(GUID);
    expect(control(PACKAGE_PARAM)).toBe('Package');
  });
});

describe('parameters', () => {
  const inputs = Object.keys(action.inputs);

  test('exactly one per action.yml input, named EksPodIam.<PascalCase>, plus AwsAccount and Package', () => {
    expect(parameterName('cluster-name')).toBe('EksPodIam.ClusterName');
    expect(parameterName('aws-region')).toBe('EksPodIam.AwsRegion');
    expect(parameterName('policy-arns')).toBe('EksPodIam.PolicyArns');
    expect(params.map((p) => p.Name).sort()).toEqual(
      [...inputs.map(parameterName), ACCOUNT_PARAM, PACKAGE_PARAM].sort(),
    );
  });

  test('labels, help text and defaults come from action.yml', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      const p = param(parameterName(name));
      expect(p.Label).toBeTruthy();
      expect(p.HelpText).toContain(spec.description);
      if (spec.required) expect(p.HelpText).toMatch(/^Required\./);
      const def = spec.default ?? '';
      expect(p.DefaultValue).toBe(def === 'true' ? 'True' : def === 'false' ? 'False' : def);
    }
  });

  test('control types', () => {
    expect(control(ACCOUNT_PARAM)).toBe('AmazonWebServicesAccount');
    expect(control('EksPodIam.Mode')).toBe('Select');
    expect(param('EksPodIam.Mode').DisplaySettings['Octopus.SelectOptions']).toBe(
      'pod-identity|EKS Pod Identity\nirsa|IAM roles for service accounts',
    );
    for (const n of ['CreateServiceAccount', 'InstallAgent', 'ScopeTrust', 'RestartWorkloads', 'DryRun']) {
      expect(control(`EksPodIam.${n}`)).toBe('Checkbox');
      expect(['True', 'False']).toContain(param(`EksPodIam.${n}`).DefaultValue);
    }
    for (const n of ['PolicyArns', 'InlinePolicy', 'Tags', 'Bindings', 'Presets'])
      expect(control(`EksPodIam.${n}`)).toBe('MultiLineText');
    // A kubeconfig can carry a client key or token: kept encrypted and masked in logs.
    expect(control('EksPodIam.Kubeconfig')).toBe('Sensitive');
    const special = new Set(['mode', 'policy-arns', 'inline-policy', 'tags', 'bindings', 'presets', 'kubeconfig']);
    for (const [name, spec] of Object.entries(action.inputs))
      if (!special.has(name) && spec.default !== 'true' && spec.default !== 'false')
        expect(control(parameterName(name))).toBe('SingleLineText');
  });

  test('Ids are GUIDs, unique, and stable (pinned here: Octopus ties step usages to them)', () => {
    const ids = params.map((p) => p.Id);
    for (const id of ids) expect(id).toMatch(GUID);
    expect(new Set([...ids, template.Id, template.Packages[0].Id]).size).toBe(ids.length + 2);
    expect(param('EksPodIam.ClusterName').Id).toBe('06ebbb60-0537-5a3e-96e9-4287afe4a08c');
    expect(param(ACCOUNT_PARAM).Id).toBe('7cb5e502-aed4-53c2-a3d1-211d94a0372b');
    expect(param(PACKAGE_PARAM).Id).toBe('9245f380-6de0-5ab4-941f-90c76114d75f');
  });

  test('the script reads every parameter through get_octopusvariable and passes it as INPUT_<NAME>', () => {
    const body: string = template.Properties['Octopus.Action.Script.ScriptBody'];
    for (const name of inputs)
      expect(body).toContain(`"INPUT_${name.toUpperCase()}=$(get_octopusvariable "${parameterName(name)}")"`);
    expect(body).toContain('set -euo pipefail');
    expect(body).toContain('EKS_POD_IAM_PLATFORM=octopus');
    expect(body).not.toContain('\r');
  });
});

describe('generation', () => {
  test('the committed template and meta file are current (regenerate: npm run octopus)', () => {
    expect(staleFiles()).toEqual([]);
  });

  test('regenerating without a change is byte-identical and keeps Version and ExportedAt', () => {
    const never = () => {
      throw new Error('the clock must not be read when nothing changed');
    };
    const g = generate(actionYml, meta, never);
    expect(g.template).toBe(text);
    expect(g.meta).toBe(meta);
    expect(g.bumped).toBe(false);
  });

  test('a hand edit of the template (or a missing meta file) is reported as stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'octopus-template-'));
    try {
      mkdirSync(join(dir, 'octopus-step-templates'));
      writeFileSync(join(dir, 'action.yml'), actionYml);
      writeFileSync(join(dir, META_PATH), meta);
      writeFileSync(join(dir, TEMPLATE_PATH), text);
      expect(staleFiles(dir)).toEqual([]);
      writeFileSync(join(dir, TEMPLATE_PATH), text.replace('"Category": "aws"', '"Category": "other"'));
      expect(staleFiles(dir)).toEqual([TEMPLATE_PATH]);
      rmSync(join(dir, META_PATH));
      expect(staleFiles(dir)).toEqual([TEMPLATE_PATH, META_PATH]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a change in action.yml bumps Version and ExportedAt, once', () => {
    const changed = actionYml.replace("'Name of the EKS cluster.", "'Name of the Amazon EKS cluster.");
    const at = new Date('2030-01-02T03:04:05.000Z');
    const g = generate(changed, meta, () => at);
    const t = JSON.parse(g.template);
    expect(g.bumped).toBe(true);
    expect(t.Version).toBe(template.Version + 1);
    expect(t.$Meta.ExportedAt).toBe(at.toISOString());
    expect(param('EksPodIam.ClusterName').Id).toBe(
      t.Parameters.find((p: Param) => p.Name === 'EksPodIam.ClusterName').Id,
    );
    const again = generate(changed, g.meta, () => new Date());
    expect(again.template).toBe(g.template);
    expect(again.bumped).toBe(false);
  });

  test('render is pure', () => {
    const state = { version: 7, exportedAt: '2030-01-01T00:00:00.000Z' };
    expect(renderTemplate(actionYml, state)).toBe(renderTemplate(actionYml, state));
  });
});
