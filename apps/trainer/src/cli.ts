#!/usr/bin/env node
import { runCli } from './cli-app';

process.exitCode = await runCli({ argv: process.argv.slice(2) });
