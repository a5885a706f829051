import { parseArgs } from 'node:util';
import { GuardAgent } from './agent.js';
import { ConfigError, loadAgentConfig } from './config/load-config.js';
import { guardText } from './i18n/messages.js';
import { createLogger } from './log/logger.js';

/**
 * campus-guard start --config <file>        run the agent (systemd runs this)
 * campus-guard check-config --config <file>  validate a config and exit
 * campus-guard windows-plan ...              print the Windows enforcement plan for a policy
 * campus-guard simulate --config <file>     a demo PC: the real agent on a fake USB kernel
 *
 * Exit codes follow sysexits: 64 usage, 78 configuration.
 */
export const EXIT_USAGE = 64;
export const EXIT_CONFIG = 78;

export async function runCli(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: { config: { type: 'string' }, policy: { type: 'string' }, devices: { type: 'string' }, apply: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch {
    return usage();
  }
  switch (command) {
    case 'start':
      return typeof values.config === 'string' ? start(values.config) : usage();
    case 'check-config':
      return typeof values.config === 'string' ? checkConfig(values.config) : usage();
    case 'simulate':
      return typeof values.config === 'string' ? start(values.config, true) : usage();
    case 'windows-plan': {
      if (typeof values.policy !== 'string') return usage();
      const { runWindowsPlan } = await import('./windows/windows-plan-cli.js');
      return runWindowsPlan({
        policyFile: values.policy,
        ...(typeof values.devices === 'string' ? { devicesFile: values.devices } : {}),
        ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
        apply: values.apply === true,
      });
    }
    default:
      return usage();
  }
}

function usage(): number {
  const t = guardText('guard.cli.usage');
  console.error(`${t['zh-CN']}\n${t.en}`);
  return EXIT_USAGE;
}

function printConfigError(e: ConfigError): number {
  console.error(`${e.text['zh-CN']}\n${e.text.en}`);
  return EXIT_CONFIG;
}

async function checkConfig(path: string): Promise<number> {
  try {
    const loaded = await loadAgentConfig(path);
    const t = guardText('guard.config.ok', { path: loaded.path, agentId: loaded.config.agentId });
    console.log(`${t['zh-CN']}\n${t.en}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) return printConfigError(e);
    throw e;
  }
}

async function start(path: string, simulate = false): Promise<number | null> {
  if (process.platform === 'win32' && !simulate) {
    const t = guardText('guard.cli.windows_start');
    console.error(`${t['zh-CN']}\n${t.en}`);
  }
  let loaded;
  try {
    loaded = await loadAgentConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) return printConfigError(e);
    throw e;
  }
  const log = createLogger({ level: loaded.config.logLevel, bindings: { agent: loaded.config.agentId } });
  let stop: (() => Promise<void>) | null = null;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: give up waiting
    stopping = true;
    log.info('stopping', { signal });
    (stop ?? (async () => {}))().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('uncaughtException', (err) => {
    // The kernel keeps default-deny while we are down; systemd restarts us.
    log.error('uncaught exception; exiting for a restart', { err });
    process.exit(70);
  });

  let policyVersion: number;
  if (simulate) {
    const { startSimulatedPc } = await import('./demo/simulated-pc.js');
    const pc = await startSimulatedPc(loaded, log);
    stop = () => pc.stop();
    policyVersion = pc.agent.policy.version;
  } else {
    const agent = new GuardAgent({ loaded, log });
    stop = () => agent.stop();
    await agent.start();
    policyVersion = agent.policy.version;
  }
  log.info('campus-guard running', { simulate, sysfsRoot: loaded.config.sysfsRoot, policyVersion });
  return null;
}
