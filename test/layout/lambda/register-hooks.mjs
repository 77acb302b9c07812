// Loaded with `node --import` before the function's code: installs Lambda's layer resolution.
import { register } from 'node:module';

register('./node-path-hooks.mjs', import.meta.url);
