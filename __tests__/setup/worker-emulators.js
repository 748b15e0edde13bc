// Before each emulator-backed file: connectEmulators() reaches the set global setup started for this worker.
const connection = process.env[`EKS_POD_IAM_EMULATORS_${process.env.JEST_WORKER_ID ?? '1'}`];
if (connection) process.env.EKS_POD_IAM_EMULATORS = connection;
