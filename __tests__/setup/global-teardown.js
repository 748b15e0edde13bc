export default async function globalTeardown() {
  await globalThis.emulators?.stop();
}
