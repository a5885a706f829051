import { parseArgs } from 'node:util';
import { bilingual, defineMessages, type Params } from '@campus/protocol/i18n';

/**
 * The `campus-edge` subcommands: each declares its arguments and options once, and
 * both its `--help` and the strict parse of its command line come from that. An
 * option another command has, or none has, is an error naming it (exit code 2).
 */
export const cliMessages = defineMessages({
  'cli.usage': { 'zh-CN': '用法', en: 'Usage' },
  'cli.arguments': { 'zh-CN': '参数', en: 'Arguments' },
  'cli.options': { 'zh-CN': '选项', en: 'Options' },
  'cli.commands': { 'zh-CN': '命令', en: 'Commands' },
  'cli.env': {
    'zh-CN': '环境变量覆盖配置：CAMPUS_EDGE__HTTP__PORT=8081、CAMPUS_EDGE__DATA_DIR=/var/lib/campus-edge ……',
    en: 'env overrides: CAMPUS_EDGE__HTTP__PORT=8081, CAMPUS_EDGE__DATA_DIR=/var/lib/campus-edge ...',
  },
  'cli.more_help': { 'zh-CN': '每个命令的选项：campus-edge <命令> --help', en: 'options of a command: campus-edge <command> --help' },
  'cli.default': { 'zh-CN': '默认', en: 'default' },
  'cli.required': { 'zh-CN': '必填', en: 'required' },
  'cli.roster_columns': { 'zh-CN': '名单列（表头，第一行）', en: 'Roster columns (header, first row)' },
  'cli.card_columns': { 'zh-CN': '制卡名单列（表头，第一行）', en: 'Card roster columns (header, first row)' },
  'cli.cmd.start': { 'zh-CN': '启动边缘网关', en: 'start the daemon' },
  'cli.cmd.demo': { 'zh-CN': '启动演示校园（模拟设备、本地云）', en: 'start the demo campus (simulated devices, local cloud)' },
  'cli.cmd.config_check': { 'zh-CN': '检查配置文件，不启动', en: 'validate a config file without starting' },
  'cli.cmd.backup': { 'zh-CN': '在线备份数据库（边缘网关运行时也可）', en: 'consistent online backup of the database (also while the edge runs)' },
  'cli.cmd.keys_init': { 'zh-CN': '生成签发密钥对（在制卡电脑上）', en: 'create the issuer key pair (on the issuing PC)' },
  'cli.cmd.cards_issue': { 'zh-CN': '签名制卡并打印 A4 卡片页', en: 'sign cards and print A4 sheets' },
  'cli.cmd.roster_import': { 'zh-CN': '导入人员名单（CSV 或 XLSX；全部有效才导入）', en: 'import the people roster (CSV or XLSX; all or nothing)' },
  'cli.arg.config_file': { 'zh-CN': '要检查的配置文件（YAML 或 JSON）', en: 'config file to check (YAML or JSON)' },
  'cli.arg.backup_target': { 'zh-CN': '备份文件路径', en: 'file to write the backup to' },
  'cli.arg.roster_file': { 'zh-CN': '名单文件（.csv：UTF-8 或 GBK；.xlsx：第一个工作表）', en: 'roster file (.csv: UTF-8 or GBK; .xlsx: the first sheet)' },
  'cli.opt.config': { 'zh-CN': '配置文件（YAML 或 JSON）', en: 'config file (YAML or JSON)' },
  'cli.opt.help': { 'zh-CN': '显示本命令的帮助', en: 'show this help' },
  'cli.opt.version': { 'zh-CN': '显示版本', en: 'show the version' },
  'cli.opt.dir': { 'zh-CN': '写入密钥的目录', en: 'folder to write the keys to' },
  'cli.opt.kid': { 'zh-CN': '密钥 id（大写字母开头，如 K1）', en: 'key id (starts with a capital letter, e.g. K1)' },
  'cli.opt.roster': { 'zh-CN': '制卡名单 CSV', en: 'card roster CSV' },
  'cli.opt.out': { 'zh-CN': '输出的 PDF 文件', en: 'PDF file to write' },
  'cli.opt.keys': { 'zh-CN': '签发密钥目录（keys init 生成）', en: 'issuer key folder (from keys init)' },
  'cli.opt.school': { 'zh-CN': '印在卡片上的校名', en: 'school name printed on the cards' },
  'cli.opt.csv': { 'zh-CN': '同时写出已制卡清单 CSV', en: 'also write the issued cards as CSV' },
  'cli.opt.card_config': {
    'zh-CN': '边缘网关配置：按数据库中的卡版本制卡并登记',
    en: 'edge config: issue the versions its database expects and register the cards',
  },
  'cli.opt.dry_run': { 'zh-CN': '只检查，不导入', en: 'check only, import nothing' },
  'cli.error.unknown_option': { 'zh-CN': '{command} 没有选项 {option}', en: '{command} has no option {option}' },
  'cli.error.missing_value': { 'zh-CN': '选项 {option} 需要一个值', en: 'option {option} needs a value' },
  'cli.error.bad_option': { 'zh-CN': '选项 {option} 用法错误：{detail}', en: 'option {option} is used wrongly: {detail}' },
  'cli.error.missing_argument': { 'zh-CN': '{command} 缺少 {what}', en: '{command} needs {what}' },
  'cli.error.extra_arguments': { 'zh-CN': '{command} 不接受参数 {args}', en: '{command} takes no argument {args}' },
  'cli.error.unknown_command': { 'zh-CN': '未知命令 {command}', en: 'unknown command {command}' },
  'cli.error.see_help': { 'zh-CN': '查看用法', en: 'see' },
});
type CliMessageId = keyof typeof cliMessages;

const both = (id: CliMessageId, params?: Params): string => {
  const t = bilingual(id, params);
  return `${t['zh-CN']} / ${t.en}`;
};

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in help, e.g. "<file>". */
  value?: string;
  required?: boolean;
  default?: string;
  help: CliMessageId;
}

export interface CommandSpec {
  /** e.g. ['keys', 'init']. */
  path: string[];
  summary: CliMessageId;
  args: Array<{ name: string; help: CliMessageId }>;
  options: Record<string, OptionSpec>;
  /** More help (generated tables), loaded only for --help. */
  details?: () => Promise<string[]>;
}

const config: OptionSpec = { type: 'string', short: 'c', value: '<file>', help: 'cli.opt.config' };

export const COMMANDS: readonly CommandSpec[] = [
  { path: ['start'], summary: 'cli.cmd.start', args: [], options: { config } },
  { path: ['demo'], summary: 'cli.cmd.demo', args: [], options: { config } },
  { path: ['config', 'check'], summary: 'cli.cmd.config_check', args: [{ name: 'file', help: 'cli.arg.config_file' }], options: {} },
  { path: ['backup'], summary: 'cli.cmd.backup', args: [{ name: 'target', help: 'cli.arg.backup_target' }], options: { config } },
  {
    path: ['keys', 'init'],
    summary: 'cli.cmd.keys_init',
    args: [],
    options: {
      dir: { type: 'string', value: '<dir>', default: 'issuer-keys', help: 'cli.opt.dir' },
      kid: { type: 'string', value: '<kid>', default: 'K1', help: 'cli.opt.kid' },
    },
  },
  {
    path: ['cards', 'issue'],
    summary: 'cli.cmd.cards_issue',
    args: [],
    options: {
      roster: { type: 'string', value: '<csv>', required: true, help: 'cli.opt.roster' },
      out: { type: 'string', value: '<pdf>', required: true, help: 'cli.opt.out' },
      keys: { type: 'string', value: '<dir>', default: 'issuer-keys', help: 'cli.opt.keys' },
      kid: { type: 'string', value: '<kid>', default: 'K1', help: 'cli.opt.kid' },
      school: { type: 'string', value: '<校名>', help: 'cli.opt.school' },
      csv: { type: 'string', value: '<file>', help: 'cli.opt.csv' },
      config: { ...config, help: 'cli.opt.card_config' },
    },
    details: async () => {
      const { ROSTER_COLUMNS } = await import('../cards/roster.js');
      return [
        `${both('cli.card_columns')}:`,
        ...Object.values(ROSTER_COLUMNS).map((c) => `  ${c.aliases.join(', ')}${c.required ? `  [${both('cli.required')}]` : ''}`),
      ];
    },
  },
  {
    path: ['roster', 'import'],
    summary: 'cli.cmd.roster_import',
    args: [{ name: 'file', help: 'cli.arg.roster_file' }],
    options: { 'dry-run': { type: 'boolean', help: 'cli.opt.dry_run' }, config },
    details: async () => {
      const { rosterColumnsHelp } = await import('@campus/protocol/roster/columns');
      return [`${both('cli.roster_columns')}:`, ...rosterColumnsHelp()];
    },
  },
];

export const commandName = (c: CommandSpec) => `campus-edge ${c.path.join(' ')}`;

function synopsis(c: CommandSpec): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const text = `--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
    return o.required ? text : `[${text}]`;
  });
  return [commandName(c), ...c.args.map((a) => `<${a.name}>`), ...opts].join(' ');
}

/** `campus-edge <command> --help`. */
export async function commandHelp(c: CommandSpec): Promise<string> {
  const optionRows: Array<[string, string]> = Object.entries(c.options).map(([name, o]) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
    const notes = [o.required ? both('cli.required') : '', o.default ? `${both('cli.default')}: ${o.default}` : ''].filter(Boolean);
    return [left, both(o.help) + (notes.length ? `  (${notes.join('; ')})` : '')];
  });
  optionRows.push(['-h, --help', both('cli.opt.help')]);
  const width = Math.max(...optionRows.map(([l]) => l.length), ...c.args.map((a) => a.name.length + 2)) + 2;
  const lines = [`${both('cli.usage')}: ${synopsis(c)}`, '', both(c.summary), ''];
  if (c.args.length) {
    lines.push(`${both('cli.arguments')}:`, ...c.args.map((a) => `  ${`<${a.name}>`.padEnd(width)}${both(a.help)}`), '');
  }
  lines.push(`${both('cli.options')}:`, ...optionRows.map(([l, r]) => `  ${l.padEnd(width)}${r}`));
  if (c.details) lines.push('', ...(await c.details()));
  return lines.join('\n') + '\n';
}

/** `campus-edge --help`: every command in one line each. */
export function generalHelp(version: string): string {
  const rows = COMMANDS.map((c) => [synopsis(c), both(c.summary)] as const);
  return [
    `campus-edge ${version} — 智慧校园边缘网关 / campus edge gateway`,
    '',
    `${both('cli.usage')}:`,
    ...rows.map(([s, d]) => `  ${s}\n      ${d}`),
    '  campus-edge --version',
    '',
    both('cli.more_help'),
    both('cli.env'),
    '',
  ].join('\n');
}

/** A command line that cannot run: the message says what is wrong and where the help is. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: CommandSpec | null,
  ) {
    super(message);
    this.name = 'UsageError';
  }

  /** The text for stderr: the problem, then the usage to look at. */
  get text(): string {
    const help = this.command ? `${commandName(this.command)} --help` : 'campus-edge --help';
    return `${this.message}\n${both('cli.error.see_help')}: ${help}\n`;
  }
}

export type CommandLine =
  | { kind: 'run'; command: CommandSpec; args: string[]; values: Record<string, string | boolean | undefined> }
  | { kind: 'help'; command: CommandSpec | null }
  | { kind: 'version' };

const GLOBAL = { help: { type: 'boolean' as const, short: 'h' }, version: { type: 'boolean' as const } };

/** Finds the command and parses its options strictly; throws UsageError. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // A loose pass, knowing every option's type, only to find the command words.
  const all: Record<string, { type: 'string' | 'boolean'; short?: string }> = { ...GLOBAL };
  for (const c of COMMANDS) for (const [n, o] of Object.entries(c.options)) all[n] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  const loose = parseArgs({ args: [...argv], allowPositionals: true, strict: false, options: all });
  const words = loose.positionals;
  if (words.length === 0) {
    if (loose.values.version === true) return { kind: 'version' };
    return { kind: 'help', command: null };
  }
  const command = COMMANDS.find((c) => c.path.every((w, i) => words[i] === w));
  if (!command) {
    const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === words[0]);
    const what = words.slice(0, group.length ? 2 : 1).join(' ');
    throw new UsageError(both('cli.error.unknown_command', { command: what }) + (group.length ? `\n${group.map((c) => `  ${synopsis(c)}`).join('\n')}` : ''), null);
  }
  const name = commandName(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...Object.fromEntries(Object.entries(command.options).map(([n, o]) => [n, { type: o.type, ...(o.short ? { short: o.short } : {}) }])), help: GLOBAL.help },
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'(-[^']*)'/.exec(e.message)?.[1] ?? '?';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(both('cli.error.unknown_option', { command: name, option }), command);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(e.message)) throw new UsageError(both('cli.error.missing_value', { option }), command);
    throw new UsageError(both('cli.error.bad_option', { option, detail: e.message }), command);
  }
  if (parsed.values.help === true) return { kind: 'help', command };
  const args = parsed.positionals.slice(command.path.length);
  if (args.length > command.args.length) throw new UsageError(both('cli.error.extra_arguments', { command: name, args: args.slice(command.args.length).join(' ') }), command);
  const missingArg = command.args[args.length];
  if (missingArg) throw new UsageError(both('cli.error.missing_argument', { command: name, what: `<${missingArg.name}>` }), command);
  for (const [n, o] of Object.entries(command.options)) {
    if (o.required && parsed.values[n] === undefined) throw new UsageError(both('cli.error.missing_argument', { command: name, what: `--${n} ${o.value ?? ''}`.trim() }), command);
  }
  return { kind: 'run', command, args, values: parsed.values as Record<string, string | boolean | undefined> };
}
