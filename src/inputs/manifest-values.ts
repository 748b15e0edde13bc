// The values of a `bindings` manifest as a binding input takes them. A manifest is YAML (or JSON), so a value may be
// a number, a list or a map where the single inputs are always text: each input says which shapes it takes, and a
// value of another shape is refused with what it is, never quoting it (a manifest may hold anything).
import { isAbsolute, join } from 'node:path';
import type { Tags } from 'yaml';
import type { GivenValue } from './binding-fields.js';
import { presetItems } from './presets.js';
import { isBooleanInput, type BindingInputName } from './spec.js';
import { InputError } from './validate.js';

/** Inputs that take several values: a YAML list of them, or the single input's newline/comma text. */
const LIST_INPUTS: ReadonlySet<string> = new Set(['policy-arns', 'tags']);
/** Inputs that hold a policy document: a YAML/JSON object is taken as the document itself. */
const DOCUMENT_INPUTS: ReadonlySet<string> = new Set(['inline-policy', 'session-policy', 'managed-policy']);

/**
 * A YAML number or boolean, kept as written. YAML reads `0123` as 123 and `True` as true: keeping the text lets a
 * tag value be exactly what the manifest says, and lets an error show it. JSON gets the typed value back.
 */
class Typed {
  constructor(
    readonly type: 'number' | 'boolean',
    readonly source: string,
  ) {}
  toString(): string {
    return this.source;
  }
  toJSON(): unknown {
    return this.type === 'number' ? Number(this.source) : /^true$/i.test(this.source);
  }
}

const TYPED_TAGS: Record<string, Typed['type']> = {
  'tag:yaml.org,2002:int': 'number',
  'tag:yaml.org,2002:float': 'number',
  'tag:yaml.org,2002:bool': 'boolean',
};

/** The YAML tags that keep numbers and booleans as written (Typed). */
export const keepScalars = (tags: Tags): Tags =>
  tags.map((tag) => {
    if (typeof tag === 'string' || ('collection' in tag && tag.collection)) return tag;
    const type = TYPED_TAGS[tag.tag];
    return type ? { ...tag, resolve: (source: string) => new Typed(type, source) } : tag;
  });

/** A manifest value as the binding's parser takes it: text, a list, or key/value pairs. */
export function givenValue(name: BindingInputName, value: unknown, baseDir: string | undefined): GivenValue {
  const wrong = (detail: string): never => {
    throw new InputError(name, detail);
  };
  if (value === null || value === undefined) return ''; // given empty: the input's default
  // A list of names and {name, <param>: value|list} objects (or one of them); text is the input's lines.
  if (name === 'presets' && typeof value !== 'string') return { presets: presetItems(value) };
  if (typeof value === 'string') {
    if (DOCUMENT_INPUTS.has(name) && baseDir !== undefined) return relativeTo(baseDir, value);
    return value;
  }
  if (value instanceof Typed) {
    if (isBooleanInput(name)) return value.source; // the boolean validator names what it takes
    return wrong(
      `must be text, got the ${value.type} ${value.source}; quote it ("${value.source}") if that is the value meant.`,
    );
  }
  if (Array.isArray(value)) {
    if (!LIST_INPUTS.has(name)) return wrong('must be text, got a list.');
    const bad = value.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) return wrong(`must be a list of text items; item ${bad + 1} is ${describe(value[bad])}.`);
    return { list: value as string[] };
  }
  if (isMap(value)) {
    if (DOCUMENT_INPUTS.has(name)) return JSON.stringify(value);
    if (name !== 'tags') return wrong('must be text, got a map.');
    return {
      pairs: Object.entries(value).map(([k, x]): [string, string] => {
        // A tag value is text whatever it looks like: `cost-center: 0042` is "0042", as written.
        if (x === null || x === undefined) return [k, ''];
        if (typeof x === 'string' || x instanceof Typed) return [k, String(x)];
        return wrong(`has ${describe(x)} as the value of ${JSON.stringify(k)}; a tag value is text.`);
      }),
    };
  }
  return wrong(`must be text, got ${describe(value)}.`);
}

/** file://relative in a manifest file is relative to the manifest's directory. */
function relativeTo(baseDir: string, value: string): string {
  const text = value.trim();
  if (!text.startsWith('file://')) return value;
  const path = text.slice('file://'.length);
  return isAbsolute(path) ? text : `file://${join(baseDir, path)}`;
}

export const isMap = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Typed);

/** What a value is, for messages, without quoting it (a manifest may hold anything). */
export function describe(x: unknown): string {
  if (x === null || x === undefined) return 'nothing';
  if (x instanceof Typed) return `a ${x.type}`;
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'object') return 'a map';
  return `a ${typeof x === 'string' ? 'string' : typeof x}`;
}
