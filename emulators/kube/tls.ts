// A throw-away CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI
// (node:crypto cannot issue X.509 certificates). EC P-256 keys keep this at ~30 ms; RSA would be slower.
// Go clients (kubectl) ignore the CN and need the SAN, and need the CA's basicConstraints CA:TRUE.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];

export interface Certs {
  dir: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  cleanup(): Promise<void>;
}

export async function makeCerts(): Promise<Certs> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-emulator-'));
  const f = (n: string) => join(dir, n);
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-subj',
      '/CN=kube-emulator-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    // OpenSSL 3: `req -x509 -CA` issues a certificate signed by the CA in one step (no CSR file).
    await run('openssl', [
      'req',
      '-x509',
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      ...EC,
      '-keyout',
      f('tls.key'),
      '-out',
      f('tls.crt'),
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-addext',
      'keyUsage=critical,digitalSignature',
    ]);
    const [caPem, certPem, keyPem] = await Promise.all(
      ['ca.crt', 'tls.crt', 'tls.key'].map((n) => readFile(f(n), 'utf8')),
    );
    return {
      dir,
      caPem: caPem!,
      certPem: certPem!,
      keyPem: keyPem!,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
