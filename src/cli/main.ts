#!/usr/bin/env node
import { finish, main } from './run.js';

// `node dist/cli/main.js`: the commands without the launcher (bin/tune) and its no-op fast path.
finish(main(process.argv.slice(2)));
