// tsc plus the @nestjs/swagger plugin, which reads the DTOs' types and class-validator
// decorators so OpenAPI is generated from the same classes that validate requests; the
// response schemas come from the routes' declared return types (response-schemas.mjs).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { responseSchemas } from './response-schemas.mjs';

const require = createRequire(import.meta.url);
const swaggerPlugin = require('@nestjs/swagger/plugin');

const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.build.json');
const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());
const program = ts.createProgram(parsed.fileNames, parsed.options);
const result = program.emit(undefined, undefined, undefined, false, {
  before: [swaggerPlugin.before({ classValidatorShim: true, introspectComments: true }, program)],
});
const diagnostics = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
if (diagnostics.length > 0) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => '\n' };
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  process.exit(1);
}
writeFileSync(join(parsed.options.outDir, 'response-schemas.json'), JSON.stringify(responseSchemas(program)));
