#!/usr/bin/env node
// Entry point of the `runcomfy-codegen` command: the generator is TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
