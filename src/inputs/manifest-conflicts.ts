// Bindings of one manifest that are each valid but contradict one another: two items that bind the same service
// account, or that give one role (or one managed policy) different documents, would undo each other's writes.
import { samePolicy } from '../core/policy-doc.js';
import { bindingKey, type BindingConfig, type BindingKey } from './config.js';
import type { BindingSource } from './binding-fields.js';
import { InputError } from './validate.js';

/** A parsed binding and the source it was read from (which labels its problems). */
export interface ParsedItem {
  binding: BindingConfig;
  source: BindingSource;
}

/** Each service account is bound once: a second item for it is refused, naming the first. */
export function repeatedServiceAccounts(parsed: ParsedItem[], problems: InputError[]) {
  const firstOf = new Map<BindingKey, number>();
  for (const { binding } of parsed) {
    const key = bindingKey(binding);
    const first = firstOf.get(key);
    if (first === undefined) firstOf.set(key, binding.index!);
    else
      problems.push(
        new InputError(
          'service-account',
          `binds ${key} again (bindings[${first}] binds it too): give each service account once.`,
          `bindings[${binding.index}].service-account`,
        ),
      );
  }
}

/**
 * One role: one boundary and one inline policy; one managed policy name: one document (two items that disagree would
 * undo each other).
 */
export function sharedRoleConflicts(parsed: ParsedItem[], problems: InputError[]) {
  const byRole = new Map<string, ParsedItem[]>();
  for (const p of parsed) {
    // A role taken from the service account's annotation (migrate-from-irsa) is not known before the run.
    if (p.binding.role.kind === 'annotation') continue;
    // IAM role names are unique regardless of case.
    const name = p.binding.role.name.toLowerCase();
    byRole.set(name, [...(byRole.get(name) ?? []), p]);
  }
  for (const group of byRole.values()) {
    const created = group.filter(({ binding }) => binding.role.kind === 'name' && binding.permissionsBoundary);
    const [first, ...rest] = created;
    for (const other of rest)
      if (other.binding.permissionsBoundary !== first!.binding.permissionsBoundary)
        problems.push(
          new InputError(
            'permissions-boundary',
            `gives role "${other.binding.role.name}" the boundary ${other.binding.permissionsBoundary}, ` +
              `but bindings[${first!.binding.index}] gives it ${first!.binding.permissionsBoundary}: ` +
              'a role has one permissions boundary.',
            other.source.label('permissions-boundary'),
          ),
        );
    const withPolicy = group.filter(({ binding }) => binding.inlinePolicy);
    const [firstPolicy, ...others] = withPolicy;
    for (const other of others)
      if (!samePolicy(other.binding.inlinePolicy!, firstPolicy!.binding.inlinePolicy!))
        problems.push(
          new InputError(
            'inline-policy',
            `differs from the one bindings[${firstPolicy!.binding.index}] gives role ` +
              `"${other.binding.role.name}": a role has one inline policy, so give the same document or leave it out.`,
            other.source.label('inline-policy'),
          ),
        );
  }
  // One policy name (unique in the account, regardless of case) has one document, whichever roles it is attached to.
  const byPolicy = new Map<string, ParsedItem[]>();
  for (const p of parsed.filter(({ binding }) => binding.managedPolicy)) {
    const name = p.binding.managedPolicy!.name.toLowerCase();
    byPolicy.set(name, [...(byPolicy.get(name) ?? []), p]);
  }
  for (const [firstManaged, ...othersManaged] of byPolicy.values())
    for (const other of othersManaged) {
      const [mine, theirs] = [other.binding.managedPolicy!, firstManaged!.binding.managedPolicy!];
      if (!samePolicy(mine.document, theirs.document))
        problems.push(
          new InputError(
            'managed-policy',
            `differs from the one bindings[${firstManaged!.binding.index}] gives policy "${mine.name}" of role ` +
              `"${other.binding.role.name}": one policy has one document, so give the same document or leave it out.`,
            other.source.label('managed-policy'),
          ),
        );
    }
}
