import { execFile } from 'node:child_process';

/**
 * The name of the OS user who owns a request file. getent asks NSS, so directory
 * accounts (LDAP, AD via sssd) resolve like local ones; without an answer the uid stands in.
 */
export async function userNameOf(uid: number): Promise<string> {
  const line = await new Promise<string>((resolve) => {
    execFile('getent', ['passwd', String(uid)], { timeout: 2000, maxBuffer: 4096 }, (err, stdout) => resolve(err ? '' : stdout));
  });
  const name = line.split(':')[0]?.trim() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64);
  return clean || `uid:${uid}`;
}
