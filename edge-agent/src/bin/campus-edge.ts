#!/usr/bin/env node
import { resolve } from 'node:path';
import { ConfigError, loadConfig, readConfigFile, applyEnvOverrides, parseConfig } from '../edge-config.js';
import { StoreOpenError, Store } from '../store/index.js';
import { TrustedClock } from '../core/clock.js';
import { startEdge, type Edge } from '../edge.js';
import type { DemoCampus } from '../demo/campus.js';
import type { DemoDevicesHandle } from '../demo/devices.js';
import type { LocalCloud } from '../demo/local-cloud.js';
import { CardToolError } from '../cards/errors.js';
import { VERSION } from '../version.js';
import { ALL_MIGRATIONS } from '../migrations.js';
import { UsageError, commandHelp, generalHelp, parseCommandLine, type CommandLine } from '../cli/commands.js';
import type { DayKind } from '@campus/protocol/access/index';

const DAY_KIND_ZH: Record<DayKind, string> = { school_day: '上课日', makeup_workday: '调休上课日', weekend: '周末', holiday: '节假日', outside_term: '假期' };

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function fail(message: string, code = 2): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

async function runDaemon(configFile: string | undefined, demo: boolean): Promise<void> {
  const raw = applyEnvOverrides(configFile ? readConfigFile(configFile) : {}, process.env);
  // The demo's code is loaded only for the demo: a real box never loads it.
  const kit = demo ? await import('../demo/kit.js') : null;
  if (kit) {
    const d = (raw.demo ??= {}) as Record<string, unknown>;
    d.enabled ??= true;
    const auth = (raw.auth ??= {}) as Record<string, unknown>;
    auth.bootstrapAdmin ??= { username: kit.DEMO_ADMIN.username, password: kit.DEMO_ADMIN.password };
    const mqttCfg = (raw.mqtt ??= {}) as Record<string, unknown>;
    mqttCfg.port ??= 1883;
    // The demo's admin password is published: panel and broker stay on this machine unless the config opens them.
    mqttCfg.host ??= '127.0.0.1';
    const httpCfg = (raw.http ??= {}) as Record<string, unknown>;
    httpCfg.host ??= '127.0.0.1';
    // Facilities (后勤) runs in the demo too, so its phone screens have an edge to talk to.
    const facilities = (raw.facilities ??= {}) as Record<string, unknown>;
    facilities.enabled ??= true;
  }
  let cloud: LocalCloud | null = null;
  let devices: DemoDevicesHandle | null = null;
  const stopDemoHelpers = () => Promise.all([cloud?.stop(), devices?.stop()]);
  // Until the edge is up, Ctrl-C must still take the demo's other processes down with us.
  const earlyStop = () => void stopDemoHelpers().then(() => process.exit(130));
  process.once('SIGINT', earlyStop);
  process.once('SIGTERM', earlyStop);
  // What the demo's helpers need (data folder, site, keys folder, which sections run); the demo adds no such keys.
  const pre = kit ? parseConfig(raw) : null;
  if (pre && kit) {
    // The demo's devices (gate readers and relay board, meters, PCs) in their own process, spoken to through the real drivers,
    // and a local cloud (PGlite), so a scan becomes a parent notice: started side by side (the cloud's database takes longest).
    const access = (raw.access ??= {}) as Record<string, unknown>;
    const ownGates = ((access.gates as unknown[] | undefined) ?? []).length > 0;
    const wantCloud = !pre.cloud.enabled && process.env.CAMPUS_DEMO_CLOUD !== '0';
    const [dev, cl] = await Promise.allSettled([
      kit.startDemoDevices({ dataDir: resolve(pre.dataDir), keysDir: pre.access.keysDir, gates: !ownGates, energy: !pre.energy.enabled }),
      wantCloud ? kit.startLocalCloud({ dataDir: resolve(pre.dataDir), site: pre.site.id, port: Number(process.env.CAMPUS_DEMO_CLOUD_PORT ?? 8780) }) : Promise.resolve(null),
    ]);
    if (dev.status === 'fulfilled') devices = dev.value;
    if (cl.status === 'fulfilled') cloud = cl.value;
    for (const r of [dev, cl]) {
      if (r.status === 'fulfilled') continue;
      await stopDemoHelpers();
      throw r.reason;
    }
    if (devices?.gates) Object.assign(access, kit.demoAccessConfig(devices.gates));
    if (cloud) raw.cloud = { enabled: true, linkFile: cloud.linkFile };
  }
  const config = parseConfig(raw);
  const demoKit = config.demo.enabled ? (kit ?? (await import('../demo/kit.js'))) : null;
  let campus: DemoCampus | null = null;
  let e: Edge;
  try {
    e = await startEdge(config, {
      env: {},
      mqttClients: demoKit ? [demoKit.DEMO_MQTT.observer, ...demoKit.DEMO_MQTT.devices] : [],
      modules: (ctx) => (demoKit ? [(campus = new demoKit.DemoCampus(ctx, devices))] : []),
    });
  } catch (err) {
    await stopDemoHelpers();
    throw err;
  }
  const lines = [
    '',
    `智慧校园 Edge ${VERSION} 已启动 / started`,
    `  面板 Panel:     ${e.httpUrl}`,
    `  MQTT:          mqtt://127.0.0.1:${e.mqtt.port}` + (e.mqtt.tlsPort ? `   mqtts://<本机IP>:${e.mqtt.tlsPort} (SHA-256 ${e.mqtt.tlsFingerprint256})` : ''),
    ...(e.mqtt.wssPort ? [`  MQTT WebSocket: wss://<本机IP>:${e.mqtt.wssPort}${config.mqtt.websocket.path}`] : []),
    `  数据 Data:      ${resolve(config.dataDir)}`,
  ];
  if (demoKit) {
    const loopback = isLoopback(config.http.host) && isLoopback(config.mqtt.host);
    lines.push(
      loopback
        ? `  仅本机可访问 Local only:  ${config.http.host} (在配置中设置 http.host / mqtt.host 为 0.0.0.0 可供局域网访问 / set http.host and mqtt.host to 0.0.0.0 to open it to the LAN)`
        : `  局域网可访问 Open to the LAN:  http ${config.http.host}, mqtt ${config.mqtt.host} — 演示密码是公开的 / the demo passwords are public`,
      `  演示管理员 Demo admin:  ${demoKit.DEMO_ADMIN.username} / ${demoKit.DEMO_ADMIN.password}`,
      `  演示 MQTT 只读账号 Demo MQTT observer:  ${demoKit.DEMO_MQTT.observer.clientId} / ${demoKit.DEMO_MQTT.observer.password}`,
      `    mosquitto_sub -h 127.0.0.1 -p ${e.mqtt.port} -i ${demoKit.DEMO_MQTT.observer.clientId} -u ${demoKit.DEMO_MQTT.observer.clientId} -P ${demoKit.DEMO_MQTT.observer.password} -t 'campus/events/#' -t 'campus/dev/+/state' -v`,
    );
  } else if (e.bootstrapPassword) {
    lines.push(`  首次启动已创建管理员 First admin created: ${config.auth.bootstrapAdmin.username} / ${e.bootstrapPassword}  (请登录后立即修改 / change it after signing in; shown only once)`);
  }
  const day = (campus as DemoCampus | null)?.day; // set by the modules factory above
  if (day) {
    // The demo school lives on its own clock: say what it is doing, so a quiet gate at night is no surprise.
    const now = e.clock.now();
    const local = e.access.time.local(now);
    const kind = e.access.calendar.dayKind(local.date);
    const next = day.next(now);
    lines.push(
      `  演示学校时间 Demo school time:  ${e.access.time.format(now)} (${config.school.timeZone}, ${DAY_KIND_ZH[kind]} ${kind})` +
        (next ? `  下一次刷卡 next scan: ${e.access.time.format(next.at)}` : ''),
    );
  }
  if (cloud && kit) {
    const parent = kit.DEMO_GUARDIANS[0]!;
    const child = config.demo.enabled ? e.access.people.get(parent.child)?.name : undefined;
    lines.push(
      `  本地云与家长端 Local cloud + parent app: ${cloud.url}/parent/`,
      `    演示家长手机号 Demo parent phone:  ${parent.phone}  (${parent.name}${child ? `，${child}的${parent.relation}` : ''}; 验证码会打印在本终端 / the sign-in code is printed here)`,
    );
  }
  lines.push('  按 Ctrl-C 停止 / press Ctrl-C to stop', '');
  process.stdout.write(lines.join('\n') + '\n');

  if (cloud && kit) {
    // The cloud owns the roster now: post the demo's (after the local seed, so both agree) and let it flow down.
    const localCloud = cloud;
    void Promise.resolve()
      .then(() => kit.postDemoRoster(kit.readDemoCloudLink(localCloud.linkFile)))
      .then(
        (r) => e.log.info(r, 'demo roster in the local cloud'),
        (err: unknown) => e.log.warn({ err }, 'demo roster not posted to the local cloud'),
      );
  }
  process.off('SIGINT', earlyStop);
  process.off('SIGTERM', earlyStop);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    e.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      process.stderr.write('shutdown took too long; exiting\n');
      process.exit(1);
    }, 10_000);
    force.unref();
    e.stop()
      .then(() => stopDemoHelpers())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(err.text, 2);
    throw err;
  }
  if (line.kind === 'version') return void process.stdout.write(VERSION + '\n');
  if (line.kind === 'help') return void process.stdout.write(line.command ? await commandHelp(line.command) : generalHelp(VERSION));
  const { args, values } = line;
  const str = (name: string) => values[name] as string | undefined;
  try {
    switch (line.command.path.join(' ')) {
      case 'start':
        return await runDaemon(str('config'), false);
      case 'demo':
        return await runDaemon(str('config'), true);
      case 'config check': {
        loadConfig(args[0], process.env);
        process.stdout.write(`配置有效 / configuration is valid: ${args[0]}\n`);
        return;
      }
      case 'backup': {
        const target = resolve(args[0]!);
        const config = loadConfig(str('config'), process.env);
        const clock = new TrustedClock({ mode: 'never' });
        const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: resolve(config.dataDir), file: config.store.file, backupDir: config.store.backupDir, synchronous: config.store.synchronous, site: config.site.id, clock, dataKeyFile: config.store.dataKeyFile });
        try {
          await store.backup(target);
        } finally {
          store.db.close();
        }
        process.stdout.write(`备份完成 / backup written: ${target}\n`);
        return;
      }
      case 'keys init':
        // Card and roster tooling (PDF, spreadsheets) is loaded only for these commands: the daemon never needs it.
        process.exitCode = await (await import('../access/cli.js')).keysInit({ dir: str('dir'), kid: str('kid') });
        return;
      case 'cards issue':
        process.exitCode = await (await import('../access/cli.js')).cardsIssue({
          roster: str('roster')!,
          out: str('out')!,
          keys: str('keys'),
          kid: str('kid'),
          school: str('school'),
          csv: str('csv'),
          config: str('config') ? loadConfig(str('config'), process.env) : undefined,
        });
        return;
      case 'roster import':
        process.exitCode = await (await import('../access/cli.js')).rosterImport({ file: args[0]!, config: loadConfig(str('config'), process.env), dryRun: values['dry-run'] === true });
        return;
      default:
        throw new Error(`command ${line.command.path.join(' ')} has no handler`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StoreOpenError || err instanceof CardToolError) fail(err.message, 2);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(`端口已被占用 / port already in use: ${e.message}. 请修改配置中的端口或停止占用该端口的程序 / change the port in the config or stop the program using it.`, 3);
    throw err;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`campus-edge: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
