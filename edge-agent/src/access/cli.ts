import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { RosterImportReport } from '@campus/protocol/access/index';
import { formatIssuedCardsCsv, initIssuerKeys, issueCards, loadIssuerKey, readCardRoster, writeCardSheet, type RosterProblem as CardRosterProblem } from '../cards/index.js';
import type { EdgeConfig } from '../edge-config.js';
import { TrustedClock } from '../core/clock.js';
import { Store } from '../store/index.js';
import { People } from './people.js';
import { importRosterTable } from './roster/import.js';
import { readRosterTable } from './roster/read.js';
import { ALL_MIGRATIONS } from '../migrations.js';

/**
 * The access and card commands of `campus-edge`. Each returns the process exit code;
 * problems are printed zh-CN first, then English.
 */
type Out = { out(text: string): void; err(text: string): void };
const stdio: Out = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function openStore(config: EdgeConfig): Store {
  const clock = new TrustedClock({ mode: 'never' });
  return Store.open({ migrations: ALL_MIGRATIONS, dataDir: resolve(config.dataDir), file: config.store.file, backupDir: config.store.backupDir, synchronous: config.store.synchronous, site: config.site.id, clock, dataKeyFile: config.store.dataKeyFile });
}

function problemLines(list: Array<{ message: { 'zh-CN': string; en: string } }>): string {
  return list.map((p) => `  - ${p.message['zh-CN']}\n    ${p.message.en}\n`).join('');
}

/** `campus-edge keys init [--dir <dir>] [--kid K1]`: the issuer key pair, on the issuing side. */
export async function keysInit(opts: { dir?: string; kid?: string }, io: Out = stdio): Promise<number> {
  const dir = resolve(opts.dir ?? 'issuer-keys');
  const files = await initIssuerKeys(dir, { kid: opts.kid ?? 'K1' });
  io.out(
    [
      `签发密钥已生成 / issuer key pair created (kid ${files.kid})`,
      `  私钥 private key: ${files.privateKeyPath}`,
      `    只保存在制卡电脑上，切勿复制到边缘网关 / keep it on the issuing PC only, never on an edge box`,
      `  公钥 public key:  ${files.publicKeyPath}`,
      `    复制到每台边缘网关的 <dataDir>/keys/ / copy it to <dataDir>/keys/ on every edge`,
      `  公钥（短格式）raw public key: ${files.publicKeyRaw}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/**
 * `campus-edge cards issue --roster <csv> --out <pdf>`: signs a card per row and prints A4
 * sheets. With an edge config whose database exists, each person gets the version the
 * edge expects (a replacement after a loss gets the raised version) and the issued cards
 * are registered there.
 */
export async function cardsIssue(
  opts: { roster: string; out: string; keys?: string; kid?: string; school?: string; csv?: string; config?: EdgeConfig; progress?: boolean },
  io: Out = stdio,
): Promise<number> {
  const report = await readCardRoster(opts.roster);
  if (!report.ok) {
    io.err(`名单有 ${report.errors.length} 处错误，未制卡 / the roster has ${report.errors.length} errors; no cards made:\n${problemLines(report.errors as CardRosterProblem[])}`);
    return 1;
  }
  if (report.warnings.length > 0) io.err(`提示 / warnings:\n${problemLines(report.warnings as CardRosterProblem[])}`);
  const key = await loadIssuerKey(resolve(opts.keys ?? 'issuer-keys'), opts.kid);
  const store = opts.config && existsSync(join(resolve(opts.config.dataDir), opts.config.store.file)) ? openStore(opts.config) : null;
  try {
    const people = store ? new People(store.db, () => Date.now(), store.vault) : null;
    people?.load();
    const versionFor = (id: string) => {
      const p = people?.get(id);
      return p ? Math.max(p.cardVersion, p.minCardVersion, 1) : undefined;
    };
    const bar = new cliProgress.SingleBar(
      { format: '{phase} |{bar}| {value}/{total}', hideCursor: true, noTTYOutput: opts.progress === true, notTTYSchedule: 1000 },
      cliProgress.Presets.shades_classic,
    );
    const show = opts.progress ?? Boolean(process.stderr.isTTY);
    if (show) bar.start(report.rows.length, 0, { phase: '签名 signing' });
    const cards = issueCards(report.rows, key.privateKey, key.kid, { versionFor, onProgress: (done) => show && bar.update(done) });
    if (show) bar.update(0, { phase: '排版 sheets ' });
    const school = opts.school ?? opts.config?.site.name ?? '';
    const sheet = await writeCardSheet(cards, resolve(opts.out), { schoolName: school, onProgress: (done) => show && bar.update(done) });
    if (show) bar.stop();
    if (opts.csv) await writeFile(resolve(opts.csv), formatIssuedCardsCsv(cards));
    if (people) {
      store!.db.transaction(() => {
        for (const c of cards) if (people.get(c.personId)) people.registerCard(c.personId, c.cardVersion);
      })();
    }
    io.out(`已制卡 ${sheet.cards} 张，共 ${sheet.pages} 页 / ${sheet.cards} cards on ${sheet.pages} pages: ${resolve(opts.out)}\n`);
    return 0;
  } finally {
    store?.close();
  }
}

/** `campus-edge roster import <csv|xlsx>`: all or nothing; a running daemon picks the change up. */
export async function rosterImport(opts: { file: string; config: EdgeConfig; dryRun?: boolean }, io: Out = stdio): Promise<number> {
  const bytes = await readFile(opts.file);
  const table = await readRosterTable(basename(opts.file), bytes);
  const store = openStore(opts.config);
  let report: RosterImportReport;
  try {
    const people = new People(store.db, () => Date.now(), store.vault);
    people.load();
    const dormitories = new Map<string, string>();
    for (const z of opts.config.access.zones) {
      if (z.kind !== 'dormitory') continue;
      dormitories.set(z.id, z.id);
      dormitories.set(z.name, z.id);
    }
    report = importRosterTable(store.db, people, table, { dormitories }, { dryRun: opts.dryRun });
    if (report.imported) {
      store.events.append({
        type: 'access.roster',
        reason: 'access.roster.imported',
        source: 'cli',
        data: { fileName: basename(opts.file), total: report.total, created: report.created, updated: report.updated, guardianLinks: report.guardianLinks },
      });
    }
  } finally {
    store.close();
  }
  if (report.warnings.length > 0) io.err(`提示 / warnings:\n${problemLines(report.warnings)}`);
  if (!report.ok) {
    io.err(`名单有 ${report.errors.length} 处错误，未导入任何数据 / ${report.errors.length} errors; nothing was imported:\n${problemLines(report.errors)}`);
    return 1;
  }
  io.out(
    report.imported
      ? `导入完成：共 ${report.total} 人，新增 ${report.created}，更新 ${report.updated}，监护关系 ${report.guardianLinks} 条 / imported ${report.total}: ${report.created} new, ${report.updated} updated, ${report.guardianLinks} guardian links\n`
      : `检查通过，共 ${report.total} 人（未导入）/ valid, ${report.total} people (dry run, nothing imported)\n`,
  );
  return 0;
}
