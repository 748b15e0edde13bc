// The plan's scopes are defined in src/core/scopes.ts, where the rooms can use them too; this re-export keeps the
// run's re-read importing them from here (it is changed in other work).
export * from '../core/scopes.js';
