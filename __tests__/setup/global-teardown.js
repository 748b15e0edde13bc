export default async function globalTeardown() {
  await Promise.all((globalThis.emulators ?? []).map((set) => set.stop()));
  delete globalThis.emulators;
}
