#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { startCloud } from '../server/cloud.js';
import { cloudOptionsFrom, loadCloudConfig } from '../server/config.js';
import { provisionDemo } from '../server/demo-provision.js';
import { jsonLogger } from '../server/logger.js';

const USAGE = `campus-cloud start [--config cloud.json]
  Runs the 智慧校园 cloud: edge sync API, admin API, guardian notices, parent web app.
  Environment: DATABASE_URL (PostgreSQL; else PGlite in CAMPUS_CLOUD_DATA_DIR), PORT, HOST,
  CAMPUS_CLOUD_ADMIN_TOKEN, CAMPUS_CLOUD_DEMO=1 (sign-in codes printed to the log),
  CAMPUS_CLOUD_DEMO_SITE + CAMPUS_CLOUD_DEMO_FILE (demo: create a school/edge for that site
  and write URL, admin token and edge credentials to that JSON file).`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'start') {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const log = jsonLogger();
  let cfg;
  try {
    cfg = loadCloudConfig(values.config);
  } catch (err) {
    const detail = err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
    console.error(`配置无效 / invalid configuration: ${detail}`);
    process.exit(2);
  }
  if (!cfg.databaseUrl) mkdirSync(cfg.dataDir, { recursive: true });
  const cloud = await startCloud({ ...cloudOptionsFrom(cfg), logger: log });
  // The generated admin token is shown once, on the first-run set-up that creates it, and
  // never again: no secret in the logs of later starts (it stays in the database).
  if (cloud.adminTokenCreated) log.info({ adminToken: cloud.adminToken }, 'first-run set-up: admin token generated (shown only this once; keep it safe)');
  const demoSite = process.env.CAMPUS_CLOUD_DEMO_SITE;
  const demoFile = process.env.CAMPUS_CLOUD_DEMO_FILE;
  if (demoSite && demoFile) {
    const link = await provisionDemo(cloud, demoSite, demoFile);
    log.info({ site: demoSite, file: demoFile, edgeId: link.credentials.edgeId }, 'demo school and edge ready');
  }
  // Tests and supervisors read this line to learn the address.
  console.log(JSON.stringify({ listening: cloud.url, port: cloud.port }));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Started by a parent over IPC (the demo edge): go when it goes, even after a kill -9.
  if (process.send) process.on('disconnect', () => void stop('parent exited'));
}

main().catch((err: Error) => {
  console.error(`云服务启动失败 / cloud failed to start: ${err.message}`);
  process.exit(1);
});
