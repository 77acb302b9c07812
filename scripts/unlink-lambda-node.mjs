// The Lambda-runtime Node binary (tools/lambda-node) is installed for the Lambda layout test and the
// cold-start benchmark only. npm links its `node` bin into node_modules/.bin, where it would shadow the
// machine's Node in every npm script; remove that link so scripts and tests run on the machine's Node.
import { lstatSync, rmSync } from 'node:fs';

const link = new URL('../node_modules/.bin/node', import.meta.url);
try {
  if (lstatSync(link).isSymbolicLink()) rmSync(link);
} catch {
  // No link: the optional package was not installed on this platform.
}
