/**
 * `npm start`: the CLI's demo (see src/cli/demo.ts).
 */
import { main } from './cli/main.js';

process.exitCode = await main(['demo', ...process.argv.slice(2)]);
setImmediate(() => process.exit(process.exitCode));
