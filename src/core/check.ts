// A read-back check: does the state actually give the pods the role? `ok: undefined` means the check could not
// be made (and says why). Each room checks its own resource; run/verify.ts puts them together per binding.
export interface Check {
  name: string;
  ok: boolean | undefined;
  detail: string;
  /** About the cluster, not the binding: reported, but it does not fail the run. */
  advisory?: boolean;
  /** Not verifiable: what the user must do by hand (printed as a warning). */
  todo?: string;
}

export const check = (name: string, ok: boolean | undefined, detail: string, advisory = false): Check => ({
  name,
  ok,
  detail,
  ...(advisory ? { advisory } : {}),
});
