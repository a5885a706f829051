import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a TypeScript file the way bench/run.mjs does: tsx, workspace sources. */
export function spawnTs(file: string, env: Record<string, string>, args: string[] = []): ChildProcess & { lines: string[]; waitForLine(re: RegExp, timeoutMs?: number): Promise<string>; exited: Promise<number | null>; stderrTail(): string } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.re.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return Object.assign(child, {
    lines,
    exited,
    stderrTail: () => stderr,
    waitForLine(re: RegExp, timeoutMs = 30_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line ${re} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
        void exited.then((code) => {
          clearTimeout(t);
          reject(new Error(`process exited (${code}) before ${re}; stderr: ${stderr}`));
        });
      });
    },
  });
}

export { freePort } from '@campus/testkit';

export async function killHard(child: ChildProcess & { exited: Promise<number | null> }): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await child.exited;
}
