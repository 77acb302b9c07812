/** Entry point of `cdk synth` / `cdk deploy` (cdk.json). Settings: cdk/config.ts. */
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { defineApp } from './wecom-contact-app.ts';

const app = new App();
const stack = defineApp(app);
const assembly = app.synth();
const template = assembly.getStackArtifact(stack.artifactId).templateFullPath;
console.error(`Template: ${path.relative(process.cwd(), template)}`);
