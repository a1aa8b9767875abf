import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { App, Keywarden, WebhookEndpoint, WithWebhookSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  type ReceivedWebhook,
  startApi,
  uniqueName,
  WebhookReceiver,
} from './harness';
import { REPO_ROOT } from './harness/paths';

/**
 * The SDK as integrators get it: `pnpm pack` yields one tarball, which `npm install`s
 * into an empty project outside this repository with the registry out of reach
 * (`--offline`), and works there through `require` and `import` against a live API and
 * worker.
 */

const run = promisify(execFile);
const SDK_DIR = join(REPO_ROOT, 'packages', 'sdk');
const SETUP_TIMEOUT_MS = 120_000;
const CONVERGE = { timeoutMs: 15_000, intervalMs: 50 };
// A cold TypeScript compile of the consumer files takes seconds on a busy machine.
const TYPECHECK_TIMEOUT_MS = 120_000;

/** What the consumer scripts print: the outcome of each check, as seen through the installed package. */
interface ConsumerReport {
  exports: string[];
  verify: { valid: boolean; code: string; keyId?: string; appId?: string; scopes?: string[] };
  revokedKey: { valid: boolean; code: string };
  webhook: { type: string; endpointId: unknown };
  tampered: { isWebhookVerificationError: boolean; code: string };
}

/** The checks, written once and saved as CommonJS and as an ES module. */
function consumerScript(load: string): string {
  return `${load}
const input = JSON.parse(process.env.KW_CONSUMER_INPUT);
(async () => {
  const kw = new sdk.Keywarden({ baseUrl: input.baseUrl, apiKey: input.verifierKey, retries: 0 });
  const verify = await kw.verifyKey(input.appKey, { scope: 'generation.create' });
  const revokedKey = await kw.verifyKey(input.revokedKey);
  const event = sdk.verifyWebhook(input.delivery.body, input.delivery.headers, input.webhookSecret);
  let tampered;
  try {
    sdk.verifyWebhook(input.delivery.body.replace('webhook.test', 'key.revoked'), input.delivery.headers, input.webhookSecret);
    tampered = { isWebhookVerificationError: false, code: 'ACCEPTED' };
  } catch (error) {
    tampered = { isWebhookVerificationError: error instanceof sdk.WebhookVerificationError, code: error.code };
  }
  process.stdout.write(JSON.stringify({
    exports: Object.keys(sdk).sort(),
    verify: { valid: verify.valid, code: verify.code, keyId: verify.keyId, appId: verify.appId, scopes: verify.scopes },
    revokedKey: { valid: revokedKey.valid, code: revokedKey.code },
    webhook: { type: event.type, endpointId: event.data.endpointId },
    tampered,
  }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;
}

const TYPES_CHECK = `
import { Keywarden, verifyWebhook, keywardenFetch, type VerifyKeyResponse, type WebhookPayload, type AppKey } from '@keywarden/sdk';
const kw = new Keywarden({ baseUrl: 'http://localhost:8080', apiKey: 'kw_admin_x' });
export const verified: Promise<VerifyKeyResponse> = kw.verifyKey('kw_live_x', { scope: 'generation.create' });
export const key: Promise<AppKey> = kw.keys.get('key_1');
export const payload: WebhookPayload = verifyWebhook('{}', {}, 'whsec_x');
export const gate = keywardenFetch({ client: kw });
`;

let api: ApiProcess;
let receiver: WebhookReceiver;
let consumerDir: string;
let tarball: string;
let input: Record<string, unknown>;
let endpoint: WebhookEndpoint & WithWebhookSecret;

async function packSdk(destination: string): Promise<string> {
  await run('pnpm', ['pack', '--pack-destination', destination], { cwd: SDK_DIR });
  const [file] = readdirSync(destination).filter((name) => /^keywarden-sdk-\d+\.\d+\.\d+\.tgz$/.test(name));
  return join(destination, file);
}

async function runConsumer(script: string): Promise<ConsumerReport> {
  const { stdout } = await run(process.execPath, [script], {
    cwd: consumerDir,
    env: { PATH: process.env.PATH, KW_CONSUMER_INPUT: JSON.stringify(input) },
  });
  return JSON.parse(stdout) as ConsumerReport;
}

function expectWorkingSdk(report: ConsumerReport, appId: string): void {
  expect(report).toEqual({
    // The surface the package's own tests pin (public-surface.spec.ts), as built in this workspace.
    exports: Object.keys(require('@keywarden/sdk') as object).sort(),
    verify: { valid: true, code: 'VALID', keyId: expect.stringMatching(/^key_/), appId, scopes: ['generation.create'] },
    revokedKey: { valid: false, code: 'KEY_REVOKED' },
    webhook: { type: 'webhook.test', endpointId: endpoint.id },
    tampered: { isWebhookVerificationError: true, code: 'NO_MATCHING_SIGNATURE' },
  });
}

let app: App;

beforeAll(async () => {
  consumerDir = mkdtempSync(join(tmpdir(), 'keywarden-sdk-consumer-'));
  expect(relative(REPO_ROOT, consumerDir).startsWith('..')).toBe(true);
  tarball = await packSdk(mkdtempSync(join(tmpdir(), 'keywarden-sdk-pack-')));
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'sdk-consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumerDir });
  writeFileSync(join(consumerDir, 'check.cjs'), consumerScript("const sdk = require('@keywarden/sdk');"));
  writeFileSync(join(consumerDir, 'check.mjs'), consumerScript("import * as sdk from '@keywarden/sdk';"));

  receiver = await new WebhookReceiver().start();
  api = await startApi();
  const workspace = await bootstrapWorkspace('sdk-tarball');
  const owner: Keywarden = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('tarball'), scopeCatalog: ['generation.create'] });
  const appKey = await owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes: ['generation.create'] });
  const revoked = await owner.keys.create({ appId: app.id, name: uniqueName('gone'), environment: 'live', scopes: ['generation.create'] });
  await owner.keys.revoke(revoked.id);
  const verifier = await owner.adminKeys.create({ name: uniqueName('verifier'), scopes: ['keys.verify'] });
  endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/tarball`, eventTypes: ['webhook.test'] });
  await owner.webhooks.test(endpoint.id);
  const [delivery] = await eventually(async () => {
    const requests: ReceivedWebhook[] = receiver.at('/tarball');
    expect(requests).toHaveLength(1);
    return requests;
  }, CONVERGE);

  input = {
    baseUrl: api.baseUrl,
    verifierKey: verifier.secret,
    appKey: appKey.secret,
    // A key that does not pass is an answer, not an error.
    revokedKey: revoked.secret,
    webhookSecret: endpoint.secret,
    delivery: { body: delivery.body, headers: delivery.headers },
  };
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
  if (tarball) rmSync(resolve(tarball, '..'), { recursive: true, force: true });
});

describe('the @keywarden/sdk tarball', () => {
  it('installs into an empty project on its own: nothing else lands in node_modules', () => {
    expect(statSync(tarball).size).toBeGreaterThan(0);
    expect(readdirSync(join(consumerDir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@keywarden']);
    expect(readdirSync(join(consumerDir, 'node_modules', '@keywarden'))).toEqual(['sdk']);
  });

  it('works through require(): verifies a key and a webhook delivery against the live API', async () => {
    expectWorkingSdk(await runConsumer('check.cjs'), app.id);
  });

  it('works through import: verifies a key and a webhook delivery against the live API', async () => {
    expectWorkingSdk(await runConsumer('check.mjs'), app.id);
  });

  it('ships type declarations that resolve for both import and require', async () => {
    writeFileSync(join(consumerDir, 'types.mts'), TYPES_CHECK);
    writeFileSync(join(consumerDir, 'types.cts'), TYPES_CHECK.replace('export const gate', 'export const fetchGate'));
    const tsc = require.resolve('typescript/bin/tsc');
    const nodeTypes = resolve(require.resolve('@types/node/package.json'), '..', '..');
    const result = await run(
      process.execPath,
      [tsc, '--ignoreConfig', '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--typeRoots', nodeTypes, '--types', 'node', 'types.mts', 'types.cts'],
      { cwd: consumerDir },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));

    expect(result).toEqual({ stdout: '', stderr: '' });
  }, TYPECHECK_TIMEOUT_MS);
});
