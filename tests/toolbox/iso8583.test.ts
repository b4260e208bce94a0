/**
 * `8583 decode` and `8583 encode` as processes: published CUP frames decode to their fields with
 * the PAN masked, decode --reveal-pan | encode gives back the same bytes, and malformed frames
 * exit 2 with the codec's error naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLISHED_FRAMES } from '../host/codecVectors';
import { ROOT, tool, type Run } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'xspos-8583-'));
const PROFILE = join(ROOT, 'host-sim/scenarios/profiles/cup-style.json');
const json = (r: Run) => JSON.parse(r.stdout);
const frame = (prefix: string) => PUBLISHED_FRAMES.find((f) => f.name.startsWith(prefix))!.hex;

describe('8583 decode / encode', () => {
  it('decodes the published 0200: names, bitmap, header; PAN and track 2 masked by default', async () => {
    const [masked, text] = await Promise.all([tool(['8583', 'decode', '--json'], frame('0200')), tool(['8583', 'decode', '--hex', frame('0200')])]);
    expect(masked.status).toBe(0);
    const v = json(masked);
    expect(v).toMatchObject({ dialect: 'cup-pos', length: 426, tpdu: '6000060000', mti: '0200', bitmap: '702406c020c19a31', panMasked: true });
    expect(v.header).toEqual({ appType: '60', version: '31', terminalStatus: 0, processingRequest: 0, softwareVersion: '311003' });
    expect(v.fields['2']).toEqual({ name: 'primary account number', value: '622424******0113' });
    expect(v.fields['35'].value).toBe('622424******0113=' + '*'.repeat(17));
    expect(v.fields['52'].value).toBe('d1eef419d0ae2609');
    expect(masked.stdout).not.toContain('6224242900000113');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('MTI 0200');
    expect(text.stdout).not.toContain('6224242900000113');
  });

  it.each(PUBLISHED_FRAMES.map((f) => [f.name, f.hex]))('%s: decode --reveal-pan | encode gives the same frame', async (_, hex) => {
    const decoded = await tool(['8583', 'decode', '--reveal-pan', '--json', '--profile', PROFILE], hex);
    expect(decoded.status).toBe(0);
    const encoded = await tool(['8583', 'encode', '--json'], decoded.stdout);
    expect(encoded.status).toBe(0);
    expect(json(encoded).frame).toBe(hex.toUpperCase());
  });

  it('encode takes a hand-written message; TPDU and header from the profile', async () => {
    const path = join(dir, 'echo.json');
    writeFileSync(path, JSON.stringify({ mti: '0820', fields: { 11: '000007', 41: { value: '10240001' }, 42: '102440058120001', 60: '00000001301' } }));
    const r = await tool(['8583', 'encode', '--in', path, '--profile', PROFILE]);
    expect(r.status).toBe(0);
    // 0x37 = 55 bytes: TPDU 6000030000, header 603100000000, 0820, bitmap 0020000000c00010.
    expect(r.stdout.trim()).toBe('0037' + '6000030000' + '603100000000' + '0820' + '0020000000C00010' + '000007' + '3130323430303031' + '313032343430303538313230303031' + '0011' + '000000013010');
  });

  it('refuses, exit 2: a malformed frame (the field named), a wrong length, a masked PAN, an unknown dialect', async () => {
    const bad = frame('0810').slice(0, -2); // one byte short: field 62 runs past the end
    const masked = join(dir, 'masked.json');
    writeFileSync(masked, JSON.stringify({ tpdu: '6000030000', header: { hex: '603100000000' }, mti: '0200', fields: { 2: '622424******0113' } }));
    const [short, length, mask, dialect] = await Promise.all([
      tool(['8583', 'decode', '--no-length', '--json'], bad.slice(4)),
      tool(['8583', 'decode'], bad),
      tool(['8583', 'encode', '--in', masked]),
      tool(['8583', 'decode', '--dialect', 'visa'], frame('0810')),
    ]);
    expect(short.status).toBe(2);
    expect(json(short)).toMatchObject({ error: 'Iso8583Error', code: 'iso-short' });
    expect(json(short).message).toContain('field 62');
    expect(length.status).toBe(2);
    expect(length.stderr).toContain('the length prefix says 116 bytes, 115 follow');
    expect(mask.status).toBe(2);
    expect(mask.stderr).toContain('masked');
    expect(dialect.status).toBe(2);
    expect(dialect.stderr).toContain('--dialect must be one of cup-pos');
  });
});
