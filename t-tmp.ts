import { App } from 'aws-cdk-lib';
import { defineApp } from '#cdk/wecom-contact-app.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = defineApp(app);
const t0 = Date.now();
try { app.synth(); console.log('ok', Date.now() - t0); } catch (e) { console.log(String((e as Error).message).slice(0, 6000)); }
