import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import * as sdk from './index';

/**
 * What integrators may rely on. Anything else the SDK is built from (key hashing,
 * detectors, secret boxes...) stays inside the package.
 */
const RUNTIME_EXPORTS = [
  'Keywarden',
  'KeywardenError',
  'KeywardenGate',
  'KeywardenGuard',
  'WebhookVerificationError',
  'keywardenExpress',
  'keywardenFastify',
  'keywardenFetch',
  'keywardenHono',
  'keywardenIdentity',
  'verifyWebhook',
];

/** The client's resource groups and option shapes, exported as types only. */
const CLIENT_TYPES = [
  'AdminKeysResource',
  'AlertsResource',
  'AppsResource',
  'AuditResource',
  'BulkKeysOptions',
  'CustomersResource',
  'KeysResource',
  'KeywardenOptions',
  'LeaksResource',
  'PortalResource',
  'RevokeAdminKeyOptions',
  'UsageResource',
  'VerifyKeyOptions',
  'WebhooksResource',
];

/** Payloads of the queues between the API and the worker: never on the HTTP wire. */
const QUEUE_PAYLOADS = ['UsageEvent', 'UsageBatchJob', 'WebhookDeliveryJob'];

const WIRE_DIR = resolve(__dirname, '../../core/src/wire');

function exportedNames(checker: ts.TypeChecker, file: ts.SourceFile): string[] {
  const moduleSymbol = checker.getSymbolAtLocation(file) as ts.Symbol;
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => symbol.name);
}

describe('the public surface of @keywarden/sdk', () => {
  it('exports the client, the middleware, verifyWebhook and the errors as values, nothing else', () => {
    expect(Object.keys(sdk).sort()).toEqual([...RUNTIME_EXPORTS].sort());
  });

  it("exports the client's resource groups and options as types, and every resource group is one", () => {
    const entry = resolve(__dirname, 'index.ts');
    const clientFile = resolve(__dirname, 'client.ts');
    const program = ts.createProgram([entry], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry) as ts.SourceFile) as ts.Symbol;
    const fromClient = checker
      .getExportsOfModule(moduleSymbol)
      .filter((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return target.declarations?.some((declaration) => declaration.getSourceFile().fileName === clientFile);
      })
      .map((symbol) => symbol.name);
    const declaredResources = (program.getSourceFile(clientFile) as ts.SourceFile).statements
      .filter(ts.isInterfaceDeclaration)
      .map((statement) => statement.name.text)
      .filter((name) => name.endsWith('Resource'));

    expect(fromClient.filter((name) => name !== 'Keywarden').sort()).toEqual([...CLIENT_TYPES].sort());
    expect(declaredResources.filter((name) => !CLIENT_TYPES.includes(name))).toEqual([]);
  });

  it("exports every type of the API's wire, from core, as a type", () => {
    const wireFiles = readdirSync(WIRE_DIR)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .map((name) => join(WIRE_DIR, name));
    const entry = resolve(__dirname, 'index.ts');
    const program = ts.createProgram([entry, ...wireFiles], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
    const checker = program.getTypeChecker();

    const sdkExports = new Set(exportedNames(checker, program.getSourceFile(entry) as ts.SourceFile));
    const wireTypes = wireFiles.flatMap((path) => {
      const file = program.getSourceFile(path) as ts.SourceFile;
      return file.statements
        .filter((statement) => ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement))
        .filter((statement) => statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword))
        .map((statement) => (statement as ts.InterfaceDeclaration | ts.TypeAliasDeclaration).name.text);
    });

    expect(wireTypes.length).toBeGreaterThan(50);
    expect(wireTypes.filter((name) => !QUEUE_PAYLOADS.includes(name) && !sdkExports.has(name))).toEqual([]);
  });
});
