// tsc plus the @nestjs/swagger plugin, which reads the DTOs' types and class-validator
// decorators so OpenAPI is generated from the same classes that validate requests.
import { createRequire } from 'node:module';
import ts from 'typescript';

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
