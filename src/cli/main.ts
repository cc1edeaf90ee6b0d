#!/usr/bin/env node
import { buildCli } from './program.js';

buildCli()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`kubeflow-mcp: ${err.message}\n`);
    process.exit(1);
  });
