import { describe, expect, it, afterEach } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ConfigError, ConfigSchema, applyEnvOverrides, loadConfig, parseConfig } from '../src/edge-config.js';
import { renderConfigReference } from '../src/config/reference.js';
import { tempDir } from './helpers/edge.js';

const BIN = new URL('../dist/bin/campus-edge.js', import.meta.url).pathname;

describe('config', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.path;
  };

  it('fills every default from the schema', () => {
    const c = parseConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.mqtt.port).toBe(1883);
    expect(c.mqtt.tls.enabled).toBe(true);
    expect(c.store.synchronous).toBe('normal');
    expect(c.site.name).toBe('演示校园');
  });

  it('names the bad key and what is expected', () => {
    expect(() => parseConfig({ http: { port: 'eighty' } })).toThrowError(ConfigError);
    try {
      parseConfig({ http: { port: 70000 }, site: { id: 'Bad Id!' } });
    } catch (e) {
      const err = e as ConfigError;
      expect(err.issues.some((i) => i.startsWith('http.port:'))).toBe(true);
      expect(err.issues.some((i) => i.startsWith('site.id:') && i.includes('lower-case'))).toBe(true);
    }
  });

  it('refuses unknown keys, including nested typos', () => {
    expect(() => parseConfig({ mqtt: { prot: 1 } })).toThrow(/mqtt/);
    expect(() => parseConfig({ unknownSection: {} })).toThrow(/unknownSection|Unrecognized/);
  });

  it('applies CAMPUS_EDGE__ environment overrides over the file', () => {
    const raw = applyEnvOverrides({ http: { port: 1 } }, { CAMPUS_EDGE__HTTP__PORT: '9090', CAMPUS_EDGE__DATA_DIR: '/srv/x', CAMPUS_EDGE__MQTT__TLS__ENABLED: 'false', OTHER: 'x' });
    const c = parseConfig(raw);
    expect(c.http.port).toBe(9090);
    expect(c.dataDir).toBe('/srv/x');
    expect(c.mqtt.tls.enabled).toBe(false);
  });

  it('reads YAML and JSON files and reports unparsable ones clearly', () => {
    const d = dir();
    writeFileSync(join(d, 'a.yaml'), 'site:\n  id: north-campus\n  name: 北校区\nhttp:\n  port: 8181\n');
    expect(loadConfig(join(d, 'a.yaml'), {}).site.name).toBe('北校区');
    writeFileSync(join(d, 'b.json'), '{"http": {"port": 8282}}');
    expect(loadConfig(join(d, 'b.json'), {}).http.port).toBe(8282);
    writeFileSync(join(d, 'c.yaml'), 'http: [unclosed');
    expect(() => loadConfig(join(d, 'c.yaml'), {})).toThrow(/not valid YAML/);
    expect(() => loadConfig(join(d, 'missing.yaml'), {})).toThrow(/cannot read config file/);
  });

  it('the generated reference in docs/configuration.md is current', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderConfigReference(ConfigSchema));
  });

  it('`campus-edge config check` exits non-zero naming the key, and 0 for a valid file', () => {
    const d = dir();
    writeFileSync(join(d, 'bad.yaml'), 'mqtt:\n  maxPayloadBytes: 10\n');
    const bad = spawnSync(process.execPath, [BIN, 'config', 'check', join(d, 'bad.yaml')], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('mqtt.maxPayloadBytes');
    writeFileSync(join(d, 'good.yaml'), 'http:\n  port: 8088\n');
    const good = spawnSync(process.execPath, [BIN, 'config', 'check', join(d, 'good.yaml')], { encoding: 'utf8' });
    expect(good.status).toBe(0);
  });

  it('`campus-edge start` with an invalid config stops before anything listens', () => {
    const d = dir();
    writeFileSync(join(d, 'bad.yaml'), `dataDir: ${d}/data\nhttp:\n  port: -1\n`);
    const r = spawnSync(process.execPath, [BIN, 'start', '--config', join(d, 'bad.yaml')], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('http.port');
    expect(r.stdout).not.toContain('已启动');
  });
});

describe('shipped example configuration', () => {
  it('docs/config.example.yaml is valid', () => {
    const c = loadConfig(new URL('../../docs/config.example.yaml', import.meta.url).pathname, {});
    expect(c.site.id).toBe('no1-middle-school');
  });
});
