#!/usr/bin/env node
// The `denglu` bin: loads tsx so the TypeScript command line runs as is, then starts it.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
