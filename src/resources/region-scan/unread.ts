// How the plan names the regions the account-wide scan could not read (pure: the planners' side of scan.ts).
import type { UnreadRegion } from '../../core/types.js';

/** "eu-west-1 (AccessDeniedException: …), …": the unread regions, for a warning. */
export const describeUnread = (unread: readonly UnreadRegion[]) =>
  unread.map((u) => `${u.region} (${u.cause})`).join(', ');
