#!/usr/bin/env node
import { runCli } from '../cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    // null: a long-running command (start) that exits on its own terms.
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
