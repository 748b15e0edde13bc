// What a plan is, is defined in src/core/planning.ts, where the rooms can use it too; this re-export keeps the run's
// apply and reconcile importing it from here (they are changed in other work).
export * from '../core/planning.js';
