// The one binding the pure plan tests start from; each file adds what its feature needs.
import { parseInputs } from '../../src/inputs/parse.js';
import type { InputName } from '../../src/inputs/spec.js';

export type Inputs = Partial<Record<InputName, string>>;

const BASE: Inputs = {
  'cluster-name': 'demo',
  'aws-region': 'us-east-1',
  namespace: 'ns',
  'service-account': 'app',
  'role-name': 'app-role',
};

/** The parsed config of BASE with `inputs` over it (an input set to undefined is left out). */
export function configOf(inputs: Inputs = {}) {
  const values: Inputs = { ...BASE, ...inputs };
  return parseInputs((n) => values[n], { env: {} }).config;
}
