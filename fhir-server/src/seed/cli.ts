#!/usr/bin/env node
/** Entry point of `npm run seed`; see command.ts for the options. */
import { runSeedCommand } from './command.js';

process.exitCode = await runSeedCommand(process.argv.slice(2));
