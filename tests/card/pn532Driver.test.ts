/**
 * The PN532 driver and reader port over a small fake link that answers scripted bytes, with a
 * fake clock for the timeouts. Frames the chip sends are the manual's where public code quotes
 * them (see pn532Frames.test.ts for the sources); the rest are built with the frame encoder,
 * which that file checks against them.
 */
import { CardError } from '../../firmware/core/card/errors';
import { Pn532 } from '../../firmware/core/card/pn532/driver';
import { PN532_ACK, PN532_ERROR_FRAME, PN532_NACK, Pn532FrameReader } from '../../firmware/core/card/pn532/frames';
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import { PortError } from '../../firmware/core/ports';
import { answer, chipLink, FakeClock, FakeLink, healthy, hex, toHex } from './pn532Fakes';

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

const flush = () => new Promise((r) => setImmediate(r));
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(CardError);
    return (e as CardError).code;
  }
}

describe('the PN532 driver', () => {
  it('wakes an HSU chip with the manual\'s preamble and SAMConfiguration, then reads the firmware', async () => {
    const link = new FakeLink('hsu', (_w, n) =>
      n === 0 ? [hex('00 00 FF 00 FF 00 00 00 FF 02 FE D5 15 16 00')] : [hex('00 00 FF 00 FF 00'), hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00')]);
    const chip = new Pn532(link, new FakeClock());
    await chip.wake();
    expect(await chip.firmwareVersion()).toEqual({ ic: 0x32, ver: 1, rev: 6, support: 7 });
    expect(link.writes.map(toHex)).toEqual([
      '55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00',
      '00 00 FF 02 FE D4 02 2A 00',
    ]);
  });

  it('sends no wake-up on I2C', async () => {
    const link = new FakeLink('i2c', () => [PN532_ACK, hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00')]);
    const chip = new Pn532(link, new FakeClock());
    await chip.firmwareVersion();
    expect(link.writes.map(toHex)).toEqual(['00 00 FF 02 FE D4 02 2A 00']);
  });

  it('times out without an ACK, and wakes the chip again with the next command', async () => {
    const clock = new FakeClock();
    const link = new FakeLink('hsu');
    const chip = new Pn532(link, clock, { ackTimeoutMs: 100 });
    const p = codeOf(chip.firmwareVersion());
    await flush();
    clock.advance(99);
    await flush();
    clock.advance(1);
    expect(await p).toBe('pn532-timeout');
    link.script = () => [PN532_ACK, hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00')];
    await chip.firmwareVersion();
    expect(link.writes.map((w) => w[0])).toEqual([0x55, 0x55]);
  });

  it('times out without an answer after the ACK, and aborts the chip\'s command with an ACK', async () => {
    const clock = new FakeClock();
    const link = new FakeLink('i2c', () => [PN532_ACK]);
    const chip = new Pn532(link, clock, { answerTimeoutMs: 500 });
    const p = codeOf(chip.listPassiveTarget('A106'));
    await flush();
    clock.advance(500);
    expect(await p).toBe('pn532-timeout');
    expect(link.writes.map(toHex)).toEqual(['00 00 FF 04 FC D4 4A 01 00 E1 00', '00 00 FF 00 FF 00']);
  });

  it('says truncated when the answer stopped mid-frame', async () => {
    const clock = new FakeClock();
    const link = new FakeLink('i2c', () => [PN532_ACK, hex('00 00 FF 06 FA D5 03')]);
    const chip = new Pn532(link, clock);
    const p = codeOf(chip.firmwareVersion());
    await flush();
    clock.advance(2_000);
    expect(await p).toBe('pn532-truncated');
  });

  it('NACKs a damaged answer once and takes the resent one', async () => {
    const good = hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00');
    const bad = hex('00 00 FF 06 FA D5 03 32 01 06 07 E9 00');
    const link = new FakeLink('i2c', (w) => (toHex(w) === toHex(PN532_NACK) ? [good] : [PN532_ACK, bad]));
    const chip = new Pn532(link, new FakeClock());
    expect(await chip.firmwareVersion()).toEqual({ ic: 0x32, ver: 1, rev: 6, support: 7 });
    expect(link.writes.map(toHex)).toEqual(['00 00 FF 02 FE D4 02 2A 00', '00 00 FF FF 00 00']);
  });

  it('gives up after one NACK when the answer comes damaged again', async () => {
    const bad = hex('00 00 FF 06 FA D5 03 32 01 06 07 E9 00');
    const link = new FakeLink('i2c', (w) => (toHex(w) === toHex(PN532_NACK) ? [bad] : [PN532_ACK, bad]));
    const chip = new Pn532(link, new FakeClock());
    expect(await codeOf(chip.firmwareVersion())).toBe('pn532-checksum');
    expect(link.writes.filter((w) => toHex(w) === toHex(PN532_NACK))).toHaveLength(1);
  });

  it('resends the command once on the chip\'s NACK; a second NACK is the error', async () => {
    const once = new FakeLink('i2c', (_w, n) => (n === 0 ? [PN532_NACK] : [PN532_ACK, answer(0x02, [0x32, 1, 6, 7])]));
    expect(await new Pn532(once, new FakeClock()).firmwareVersion()).toMatchObject({ ic: 0x32 });
    expect(once.writes.map(toHex)).toEqual(['00 00 FF 02 FE D4 02 2A 00', '00 00 FF 02 FE D4 02 2A 00']);

    const storm = new FakeLink('i2c', () => [PN532_NACK]);
    expect(await codeOf(new Pn532(storm, new FakeClock()).firmwareVersion())).toBe('pn532-nack');
    expect(storm.writes).toHaveLength(2);
  });

  it('fails on the error frame, an answer to another command, and a status byte error', async () => {
    const err = new FakeLink('i2c', () => [PN532_ACK, PN532_ERROR_FRAME]);
    expect(await codeOf(new Pn532(err, new FakeClock()).firmwareVersion())).toBe('pn532-error-frame');

    const other = new FakeLink('i2c', () => [PN532_ACK, hex('00 00 FF 02 FE D5 15 16 00')]);
    const e = await new Pn532(other, new FakeClock()).firmwareVersion().catch((x) => x);
    expect(e).toMatchObject({ code: 'pn532-unexpected', message: 'an answer 0x15 where 0x03 was due' });

    const lost = new FakeLink('i2c', () => [PN532_ACK, answer(0x40, [0x01])]);
    const s = await new Pn532(lost, new FakeClock()).dataExchange(1, hex('00 A4 04 00')).catch((x) => x);
    expect(s).toMatchObject({ code: 'pn532-status' });
    expect(s.message).toContain('time out, the target has not answered');
  });

  it('refuses a second command while one is in flight, and ignores a late answer', async () => {
    const clock = new FakeClock();
    const link = new FakeLink('i2c', () => [PN532_ACK]);
    const chip = new Pn532(link, clock);
    const first = codeOf(chip.firmwareVersion());
    expect(await codeOf(chip.release(1))).toBe('pn532-unexpected');
    await flush();
    clock.advance(1_500);
    expect(await first).toBe('pn532-timeout');
    // The old answer arrives during the next command: an answer to another command.
    link.script = () => [PN532_ACK, answer(0x02, [0x32, 1, 6, 7])];
    expect(await codeOf(chip.release(1))).toBe('pn532-unexpected');
  });

  it('chains a 300-byte APDU and a 300-byte response with the MI bit', async () => {
    const apdu = new Uint8Array(300).map((_, i) => (i * 13) & 0xff);
    const response = new Uint8Array(300).map((_, i) => (i * 7 + 1) & 0xff);
    const seen: string[] = [];
    const host = new Pn532FrameReader(0xd4);
    const link = new FakeLink('i2c', (w) => {
      if (toHex(w) === toHex(PN532_ACK)) return [];
      host.push(w);
      const f = host.next();
      if (!f || f.kind !== 'info') throw new Error('not a command');
      const [cmd, tg, ...data] = f.data;
      seen.push(`${cmd.toString(16)} tg=${tg.toString(16)} ${data.length}`);
      if (tg === 0x41) return [PN532_ACK, answer(0x40, [0x00])]; // more to come: nothing to say yet
      if (data.length > 0) return [PN532_ACK, answer(0x40, [0x40, ...response.subarray(0, 262)])];
      return [PN532_ACK, answer(0x40, [0x00, ...response.subarray(262)])];
    });
    const got = await new Pn532(link, new FakeClock()).dataExchange(1, apdu);
    expect(seen).toEqual(['40 tg=41 262', '40 tg=1 38', '40 tg=1 0']);
    expect(toHex(got)).toBe(toHex(response));
    // The first frame is an extended one: TFI, command, Tg and 262 bytes = 265.
    expect(toHex(link.writes[0].subarray(0, 8))).toBe('00 00 FF FF FF 01 09 F6');
  });

  it('fires nothing after close(): the command in flight fails, its timer and late bytes are dropped', async () => {
    const clock = new FakeClock();
    const link = new FakeLink('i2c', () => []);
    const chip = new Pn532(link, clock);
    const p = codeOf(chip.firmwareVersion());
    chip.close();
    expect(await p).toBe('reader-fault');
    expect(link.closed).toBe(true);
    expect(clock.timers).toHaveLength(0);
    link.deliver(cat(PN532_ACK, answer(0x02, [0x32, 1, 6, 7])));
    clock.advance(10_000);
    expect(link.writes).toHaveLength(1);
    expect(await codeOf(chip.firmwareVersion())).toBe('reader-fault');
  });
});

describe('the PN532 reader port', () => {
  it('identifies the chip as PN532 v1.6', async () => {
    const { link } = chipLink('hsu', healthy);
    expect(await new Pn532Reader(link, new FakeClock()).identify()).toEqual({ model: 'PN532', firmware: 'v1.6' });
  });

  it('runs the chip\'s own tests and reports each', async () => {
    const { link, commands } = chipLink('i2c', healthy);
    const checks = await new Pn532Reader(link, new FakeClock()).selfCheck();
    expect(checks.map((c) => `${c.test}:${c.ok}`)).toEqual(['firmware:true', 'line:true', 'rom:true', 'ram:true', 'antenna:true', 'sam:true']);
    expect(checks[0].detail).toBe('PN532 v1.6, support 0x07');
    expect(commands.filter((c) => c.startsWith('00')).map((c) => c.slice(0, 5))).toEqual(['00 00', '00 01', '00 02', '00 07']);
  });

  it('reports a failed antenna and a refused SAM configuration without failing the rest', async () => {
    const { link } = chipLink('i2c', { ...healthy, 0x14: () => answer(0x16) /* PowerDown's answer: not this command's */, 0x00: (p: Uint8Array) => answer(0x00, p[0] === 0 ? p : [p[0] === 7 ? 0x01 : 0x00]) });
    const checks = await new Pn532Reader(link, new FakeClock()).selfCheck();
    expect(checks.map((c) => `${c.test}:${c.ok}`)).toEqual(['firmware:true', 'line:true', 'rom:true', 'ram:true', 'antenna:false', 'sam:false']);
    expect(checks[4].detail).toBe('antenna test result 0x01');
    expect(checks[5].detail).toMatch(/^pn532-unexpected: /);
  });

  it('rejects with PortError reader, naming the code, when the chip does not answer at all', async () => {
    const clock = new FakeClock();
    const { link } = chipLink('hsu', {});
    const reader = new Pn532Reader(link, clock);
    const p = reader.selfCheck().catch((e) => e);
    for (let i = 0; i < 10; i++) {
      await flush();
      clock.advance(200);
    }
    const e = await p;
    expect(e).toBeInstanceOf(PortError);
    expect(e).toMatchObject({ code: 'reader' });
    expect(e.message).toMatch(/^pn532-timeout: /);
  });

  it('detects a type A card, exchanges an APDU and releases it', async () => {
    const { link, commands } = chipLink('i2c', healthy);
    const reader = new Pn532Reader(link, new FakeClock());
    const presence = await reader.detect();
    expect(presence.kind).toBe('contactless');
    expect(toHex((presence as { uid: Uint8Array }).uid)).toBe('04 41 6D 41 2B 02 89');
    expect(toHex(await reader.transmit(hex('00 A4 04 00 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00')))).toBe('90 00');
    reader.release();
    await reader.detect();
    expect(commands.map((c) => c.slice(0, 2))).toEqual(['14', '32', '02', '4A', '40', '52', '4A']);
    expect(commands).toContain('32 05 FF 01 02');
  });

  it('polls type B when the firmware supports it, and says none when no card answers', async () => {
    const { link, commands } = chipLink('i2c', { ...healthy, 0x4a: () => answer(0x4a, [0]) });
    const reader = new Pn532Reader(link, new FakeClock());
    expect(await reader.detect()).toEqual({ kind: 'none' });
    expect(commands.filter((c) => c.startsWith('4A'))).toEqual(['4A 01 00', '4A 01 03 00']);
    await expect(reader.transmit(hex('00 B2 01 0C 00'))).rejects.toBeInstanceOf(PortError);
  });
});
