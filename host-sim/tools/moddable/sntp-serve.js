#!/usr/bin/env node
/**
 * SIMULATOR ONLY: an SNTP server on 127.0.0.1:123 (UDP) for the measured mcsim runs (run.sh, docs/memory.md),
 * so the terminal's clock keeper sets the clock at boot as a board on a network with a time
 * service does, instead of waiting on a name the sandbox cannot resolve (the SDK's SNTP client,
 * its socket and timers, then stayed alive through the whole run: not what a board sees).
 *
 *   node host-sim/tools/moddable/sntp-serve.js [port=123]
 *
 * Answers every 48-byte client request (mode 3) with a server reply (mode 4, stratum 1, refid
 * "LOCL"): originate = the request's transmit time, receive and transmit = this host's clock.
 * Prints `sntp server: listening on 127.0.0.1:<port>`, then one line per answer.
 */
'use strict';
const dgram = require('node:dgram');

/** Seconds from 1900 (NTP's era 0) to 1970. */
const NTP_UNIX = 2208988800;

function timestamp(buffer, offset, ms) {
  const seconds = Math.floor(ms / 1000) + NTP_UNIX;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buffer.writeUInt32BE(seconds >>> 0, offset);
  buffer.writeUInt32BE(fraction >>> 0, offset + 4);
}

function main(args) {
  const port = Number(args[0] ?? 123);
  const socket = dgram.createSocket('udp4');
  socket.on('message', (request, peer) => {
    if (request.length < 48 || (request[0] & 7) !== 3) return;
    const now = Date.now();
    const reply = Buffer.alloc(48);
    reply[0] = (0 << 6) | (request[0] & 0x38) | 4; // LI 0, the client's version, mode 4
    reply[1] = 1; // stratum 1
    reply[2] = request[2];
    reply[3] = 0xec; // precision ~2^-20 s
    reply.write('LOCL', 12, 'ascii');
    timestamp(reply, 16, now); // reference
    request.copy(reply, 24, 40, 48); // originate = the client's transmit
    timestamp(reply, 32, now); // receive
    timestamp(reply, 40, Date.now()); // transmit
    socket.send(reply, peer.port, peer.address);
    console.log(`sntp server: answered ${peer.address}:${peer.port} with ${new Date(now).toISOString()}`);
  });
  socket.on('error', (error) => {
    console.error(`sntp server: ${error.message}`);
    process.exit(1);
  });
  socket.bind(port, '127.0.0.1', () => console.log(`sntp server: listening on 127.0.0.1:${port}`));
  const stop = () => socket.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2));
