#!/usr/bin/env node
import { runCli } from '../cli.js';

const argv = process.argv.slice(2);
// `request` is the one command a teacher runs (no root, no agent config secrets needed).
const run = argv[0] === 'request' ? import('../requests/request-cli.js').then((m) => m.runRequestCli(argv.slice(1))) : runCli(argv);

run.then(
  (code) => {
    // null: a long-running command (start) that exits on its own terms.
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
