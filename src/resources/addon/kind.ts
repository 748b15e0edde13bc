// The resource kind this room owns, as the `changes` output names it.
export const ADDON = 'eks-addon';

/** The agent add-on: it runs Pod Identity itself (no service account of it is bound through it). */
export const AGENT_ADDON = 'eks-pod-identity-agent';
