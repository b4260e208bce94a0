/**
 * SIMULATOR ONLY: the update server a measured mcsim run downloads from (docs/memory.md, issue
 * 10; `run.sh <export> <seconds> update`):
 *
 *   npx ts-node -P tsconfig.json --transpile-only host-sim/tools/moddable/update-serve.ts [--version V] [--bytes N] [--board B]
 *
 * Builds one sim image (host-sim/update/makeImage.ts: XSPOSIMG header, filler, appended SHA-256)
 * of N bytes (default 131,072) for board B (default "xspos-sim", what firmware/device/sim/simUpdateSlots.ts
 * says it is), version V (default: the minor after manifest.json's config.firmwareVersion, so it
 * is newer than the running build), sealed with the DEMO vendor key, and serves it with
 * host-sim/update/updateServer.ts on 127.0.0.1 (an ephemeral port). Prints one line,
 * `update server: listening on <url> …`, then serves until it is terminated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeImage } from '../../update/makeImage';
import { startUpdateServer } from '../../update/updateServer';

const ROOT = join(__dirname, '..', '..', '..');

function nextMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${minor + 1}.0`;
}

async function main(args: string[]): Promise<number> {
  const running = (JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as { config: { firmwareVersion: string } }).config.firmwareVersion;
  let version = nextMinor(running);
  let bytes = 131_072;
  let board = 'xspos-sim';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = args[++i] ?? '';
    if (a === '--version') version = value;
    else if (a === '--bytes') bytes = Number(value);
    else if (a === '--board') board = value;
    else {
      console.error(`update-serve: unknown argument ${a}`);
      return 2;
    }
  }
  if (!Number.isInteger(bytes) || bytes < 4096) {
    console.error('update-serve: --bytes needs an integer of at least 4096');
    return 2;
  }
  const made = makeImage({ version, buildTime: Date.now(), bytes, board });
  if (!made.seal) throw new Error(`version ${version} cannot be signed`);
  const server = await startUpdateServer({ board, offers: [{ version, image: made.image, seal: made.seal }] });
  console.log(`update server: listening on ${server.url} offers ${board} ${version} over running ${running} (${made.image.length} B image, ${made.seal.length} B seal)`);
  const stop = () => {
    for (const r of server.log) console.log(`update server: ${r.path}${r.range ? ` (${r.range})` : ''} ${r.status}, ${r.bytes} B${r.fault ? ` [${r.fault}]` : ''}`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code) process.exit(code);
  },
  (error: unknown) => {
    console.error(`update-serve: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
