import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { COMMANDS, commandName } from '../src/cli/commands.js';
import { ROSTER_FIELDS } from '@campus/protocol/roster/columns';
import { ROSTER_COLUMNS } from '../src/cards/roster.js';

/** Every `campus-edge` subcommand, built (run `tsc -b edge-agent` first), as a child process. */
const BIN = new URL('../dist/bin/campus-edge.js', import.meta.url).pathname;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const ALL_OPTIONS = [...new Set(COMMANDS.flatMap((c) => Object.keys(c.options)))];

describe('campus-edge <command> --help', { timeout: 120_000 }, () => {
  it('covers the commands people use', () => {
    expect(COMMANDS.map((c) => c.path.join(' '))).toEqual(['start', 'demo', 'config check', 'backup', 'keys init', 'cards issue', 'roster import']);
  });

  it('each command answers --help with its own options and exit code 0', async () => {
    const results = await Promise.all(COMMANDS.map((c) => cli([...c.path, '--help'])));
    COMMANDS.forEach((c, i) => {
      const r = results[i]!;
      const name = c.path.join(' ');
      expect(r.code, name).toBe(0);
      expect(r.stderr, name).toBe('');
      expect(r.stdout, name).toContain(`用法 / Usage: ${commandName(c)}`);
      // Not the general usage: no other command's line.
      for (const other of COMMANDS) if (other !== c) expect(r.stdout, name).not.toContain(`${commandName(other)} `);
      for (const opt of Object.keys(c.options)) expect(r.stdout, `${name} --${opt}`).toMatch(new RegExp(`--${opt}\\b`));
      for (const opt of ALL_OPTIONS.filter((o) => !(o in c.options))) expect(r.stdout, `${name} must not list --${opt}`).not.toMatch(new RegExp(`--${opt}\\b`));
      for (const a of c.args) expect(r.stdout, name).toContain(`<${a.name}>`);
      expect(r.stdout).toContain('--help');
    });
    // The two that printed the general usage before.
    expect(results[4]!.stdout).toMatch(/--dir <dir>.*folder to write the keys to.*default: issuer-keys/);
    expect(results[5]!.stdout).toMatch(/--roster <csv>.*required/);
  });

  it('-h works too, and help wins over missing arguments', async () => {
    const [h, noFile] = await Promise.all([cli(['keys', 'init', '-h']), cli(['roster', 'import', '--help'])]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('campus-edge keys init');
    expect(noFile.code).toBe(0);
  });

  it('roster import --help lists every roster column from the column definitions, Chinese and English names', async () => {
    const r = await cli(['roster', 'import', '--help']);
    expect(r.code).toBe(0);
    const columns = r.stdout.slice(r.stdout.indexOf('名单列'));
    for (const spec of Object.values(ROSTER_FIELDS)) {
      const zh = spec.aliases[0]!;
      const en = spec.aliases.find((a) => /^[a-z_]+$/.test(a))!;
      expect(columns).toContain(`  ${zh} (${en})`);
      for (const alias of spec.aliases) expect(columns).toContain(alias);
    }
    expect(columns).toMatch(/学号\/工号 \(person_id\)\s+\[必填 \/ required\]/);
    expect(columns).toContain('家长行：与学生的关系 / guardian rows: relation to the child');
    expect(columns).toMatch(/可填 \/ values: .*父亲.*mother/);
  });

  it('cards issue --help lists the card roster columns', async () => {
    const r = await cli(['cards', 'issue', '--help']);
    for (const c of Object.values(ROSTER_COLUMNS)) expect(r.stdout).toContain(c.aliases.join(', '));
  });

  it('an unknown option is refused with exit code 2, naming it and the command’s help', async () => {
    const cases: Array<[string[], string]> = [
      [['start', '--bogus'], '--bogus'],
      [['demo', '--port', '1'], '--port'],
      [['config', 'check', 'x.yaml', '--dry-run'], '--dry-run'],
      [['backup', 'b.db', '--out', 'x'], '--out'],
      [['keys', 'init', '--roster', 'x.csv'], '--roster'],
      [['cards', 'issue', '--roster', 'r.csv', '--out', 'o.pdf', '--dry-run'], '--dry-run'],
      [['roster', 'import', 'r.csv', '--dryrun'], '--dryrun'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    cases.forEach(([args, option], i) => {
      const r = results[i]!;
      const command = COMMANDS.find((c) => c.path.every((w, j) => args[j] === w))!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${commandName(command)} 没有选项 ${option} / ${commandName(command)} has no option ${option}`);
      expect(r.stderr).toContain(`${commandName(command)} --help`);
    });
  });

  it('missing arguments, extra arguments and unknown commands: exit code 2 with what is wrong', async () => {
    const [noFile, noOut, extra, unknown, unknownSub, general] = await Promise.all([
      cli(['config', 'check']),
      cli(['cards', 'issue', '--roster', 'r.csv']),
      cli(['start', 'now']),
      cli(['launch']),
      cli(['keys', 'rotate']),
      cli(['--help']),
    ]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('campus-edge config check 缺少 <file> / campus-edge config check needs <file>');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('needs --out <pdf>');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('takes no argument now');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('未知命令 launch / unknown command launch');
    expect(unknownSub.code).toBe(2);
    expect(unknownSub.stderr).toContain('campus-edge keys init');
    expect(general.code).toBe(0);
    for (const c of COMMANDS) expect(general.stdout).toContain(commandName(c));
  });
});
