// What an absent binding's removal means to leave behind (what verification checks), composed in one place from
// what each room planned of it: the binding's own parts (service account), its role (deleted, kept, trust kept),
// its add-on's associations, its target role's trust and its role's eks-pod-iam-target policy. No room edits
// another's part; a binding whose own parts could not be planned has no record.
import type { BindingKey } from '../inputs/config.js';
import type { AddonAssociation } from '../resources/addon/associations.js';
import type { TargetRemovalIntent } from '../resources/target-role/remove.js';

/** What the plan means to leave behind for an absent binding: what verification checks. */
export interface RemovalIntent {
  /** The binding's role (created by eks-pod-iam) is deleted. */
  roleDeleted: boolean;
  /** The role existed and stays. */
  roleKept: boolean;
  /** Its trust statement stays on purpose (other associations name the role, or it is a foreign role's last). */
  trustKept: boolean;
  /** The service account (created by eks-pod-iam) is deleted. */
  serviceAccountDeleted: boolean;
  /** `addon`: its association leaves the add-on, whose other associations stay as they are. */
  addonKept?: AddonAssociation[];
  /** `target-role-arn`: what its target role's trust gives up (the target-role room's removal). */
  target?: TargetRemovalIntent;
}

/** The binding's own parts, once all are planned: whether its role exists (and so stays, unless its room says). */
interface OwnParts {
  roleExists: boolean;
  serviceAccountDeleted: boolean;
}

/** The role's part: whether the role goes, and whether the binding's trust statement stays on purpose. */
export interface RolePart {
  roleDeleted: boolean;
  roleKept: boolean;
  trustKept: boolean;
}

/** Each room's part of each absent binding's removal record, written once by that room. */
export class RemovalRecords {
  private readonly own = new Map<BindingKey, OwnParts>();
  private readonly role = new Map<BindingKey, RolePart>();
  private readonly addonKept = new Map<BindingKey, AddonAssociation[]>();
  private readonly target = new Map<BindingKey, TargetRemovalIntent>();
  private readonly revoked = new Set<BindingKey>();

  ownPartsPlanned(key: BindingKey, parts: OwnParts): void {
    this.own.set(key, parts);
  }

  rolePlanned(key: BindingKey, part: RolePart): void {
    this.role.set(key, part);
  }

  addonWritten(key: BindingKey, kept: AddonAssociation[]): void {
    this.addonKept.set(key, kept);
  }

  targetPlanned(key: BindingKey, intent: TargetRemovalIntent): void {
    this.target.set(key, intent);
  }

  /** The target leaves the role's eks-pod-iam-target policy (only said of a binding whose target is planned). */
  targetRevoked(key: BindingKey): void {
    this.revoked.add(key);
  }

  /** The binding's service account is deleted by this removal. */
  serviceAccountDeleted(key: BindingKey): boolean {
    return !!this.own.get(key)?.serviceAccountDeleted;
  }

  /** The binding's role is deleted by this removal. */
  roleDeleted(key: BindingKey): boolean {
    return this.own.has(key) && !!this.role.get(key)?.roleDeleted;
  }

  /** Each absent binding's record, from its rooms' parts, in the order its own parts were planned. */
  records(): Map<BindingKey, RemovalIntent> {
    return new Map(
      [...this.own].map(([key, own]) => {
        const role = this.role.get(key);
        const addonKept = this.addonKept.get(key);
        const target = this.target.get(key);
        const record: RemovalIntent = {
          roleDeleted: role?.roleDeleted ?? false,
          roleKept: role ? role.roleKept : own.roleExists,
          trustKept: role?.trustKept ?? false,
          serviceAccountDeleted: own.serviceAccountDeleted,
          ...(addonKept ? { addonKept } : {}),
          ...(target ? { target: this.revoked.has(key) ? { ...target, revoked: true } : target } : {}),
        };
        return [key, record] as const;
      }),
    );
  }
}
