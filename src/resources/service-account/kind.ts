// The resource kinds this room owns, as the `changes` output names them.
export const NAMESPACE = 'namespace';
export const SERVICE_ACCOUNT = 'service-account';
