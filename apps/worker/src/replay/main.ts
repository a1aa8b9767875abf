import { createReadStream } from 'node:fs';
import { SENSITIVITIES, type Sensitivity } from '@keywarden/core';
import { replayText, ReplayInputError } from './replay';

const USAGE = 'usage: pnpm replay <file.jsonl> [--sensitivity low|medium|high]';

/** `pnpm replay <file.jsonl>`: alerts as JSON lines on stdout, problems on stderr. */
async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let sensitivity: Sensitivity = 'medium';
  const flag = args.indexOf('--sensitivity');
  if (flag >= 0) {
    const value = args.splice(flag, 2)[1];
    if (!(SENSITIVITIES as readonly string[]).includes(value)) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    sensitivity = value as Sensitivity;
  }
  if (args.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // Large reads: the file is read once, front to back.
  const input = createReadStream(args[0], { encoding: 'utf8', highWaterMark: 1 << 20 });
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.join(''));
    out.length = 0;
  };
  try {
    await replayText(input, (alert) => {
      out.push(JSON.stringify(alert) + '\n');
      if (out.length >= 256) flush();
    }, sensitivity);
  } catch (err) {
    flush();
    const message = err instanceof ReplayInputError ? err.message : err instanceof Error && 'code' in err ? `cannot read ${args[0]}: ${err.message}` : String(err);
    process.stderr.write(`replay: ${message}\n`);
    return 1;
  }
  flush();
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
