import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a kubeconfig for kubectl and client-node (JSON is valid YAML) and returns its path. */
export function writeKubeconfig(
  path: string,
  o: { url: string; caData: string; token: string; namespace?: string },
): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'emulator',
        preferences: {},
        clusters: [{ name: 'emulator', cluster: { server: o.url, 'certificate-authority-data': o.caData } }],
        users: [{ name: 'emulator', user: { token: o.token } }],
        contexts: [
          { name: 'emulator', context: { cluster: 'emulator', user: 'emulator', namespace: o.namespace ?? 'default' } },
        ],
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  return path;
}
