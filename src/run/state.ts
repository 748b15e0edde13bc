// The run's observed state is defined in src/core/state.ts, where the rooms can use it too; this re-export keeps the
// run's apply, re-read and reconcile modules importing it from here (they are changed in other work).
export * from '../core/state.js';
