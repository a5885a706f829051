#!/usr/bin/env node
// Writes docs/configuration.md from the edge's config schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../edge-agent/dist/config/reference.js';
import { ConfigSchema } from '../edge-agent/dist/edge-config.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigReference(ConfigSchema));
console.log('docs/configuration.md written');
