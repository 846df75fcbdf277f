#!/usr/bin/env node
// HTTP/2 cleartext traffic for the h2c end-to-end test (runs inside the test's network namespaces).
//
//   h2c-traffic.mjs server ADDRESS PORT UPGRADE_PORT READY_FILE   (READY_FILE gets "PORT UPGRADE_PORT" once listening)
//     PORT: node's http2 server (h2c with prior knowledge). UPGRADE_PORT: an HTTP/1.1 server that accepts
//     `Upgrade: h2c` and answers the upgraded request (stream 1) in HTTP/2 frames, as RFC 7540 section 3.2 has it.
//     Every response body is body(x-response-seed, x-response-size) from the request's headers; status from x-status.
//   h2c-traffic.mjs client ADDRESS PORT UPGRADE_PORT OUT_JSON
//     Sends the scenarios below with node's http2 client (prior knowledge) and curl --http2 (Upgrade), checks each
//     response against what the server must have sent, and writes every exchange (the ground truth) to OUT_JSON.
import http from 'node:http';
import http2 from 'node:http2';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic printable body: n bytes from the seed (a small LCG over 32..126, with a newline every 80). */
function body(seed, n) {
  const out = Buffer.alloc(n);
  let x = (Number(seed) * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = i % 80 === 79 ? 10 : 32 + ((x >>> 16) % 95);
  }
  return out;
}

const [mode, address, portArg, upgradePortArg, outArg] = process.argv.slice(2);
const port = Number(portArg);
const upgradePort = Number(upgradePortArg);

function responseFor(headers) {
  return {
    status: Number(headers['x-status'] ?? 200),
    body: body(headers['x-response-seed'] ?? 0, Number(headers['x-response-size'] ?? 0)),
  };
}

// ---------------------------------------------------------------- server
function serveH2() {
  const server = http2.createServer({ settings: { maxHeaderListSize: 256 * 1024 } }, () => {});
  server.on('stream', (stream, headers) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const { status, body: b } = responseFor(headers);
      const delay = Number(headers['x-delay-ms'] ?? 0);
      setTimeout(() => {
        stream.respond({
          ':status': status,
          'content-type': 'text/plain',
          'x-e2e-server': 'h2',
          'x-request-bytes': String(Buffer.concat(chunks).length),
          ...(headers['x-big-response-header'] ? { 'x-big': 'b'.repeat(Number(headers['x-big-response-header'])) } : {}),
        });
        stream.end(b);
      }, delay);
    });
  });
  return new Promise((resolve) => server.listen(port, address, () => resolve(server.address().port)));
}

/** HPACK "literal header field without indexing, new name", no Huffman (RFC 7541 section 6.2.2). */
function hpackLiteral(name, value) {
  const length = (n) => { // 7-bit prefix integer, H bit 0 (RFC 7541 section 5.1)
    if (n < 127) return Buffer.from([n]);
    const out = [127];
    for (n -= 127; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat([Buffer.from([0x00]), length(name.length), Buffer.from(name), length(value.length), Buffer.from(value)]);
}

function frame(type, flags, streamId, payload) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, payload]);
}

function serveUpgrade() {
  const server = http.createServer((req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('h2c upgrade required\n');
  });
  server.on('upgrade', (req, socket, head) => {
    const chunks = [head];
    let done = false;
    const answer = () => {
      // The upgraded request is stream 1, half-closed from the client once its HTTP/1.1 body is complete.
      const reqBody = Buffer.concat(chunks);
      const { status, body: b } = responseFor(req.headers);
      const block = Buffer.concat([
        // :status 200 is static table entry 8 (indexed field 0x88); any other status as a literal.
        status === 200 ? Buffer.from([0x88]) : hpackLiteral(':status', String(status)),
        hpackLiteral('content-type', 'text/plain'),
        hpackLiteral('x-e2e-server', 'h2c-upgrade'),
        hpackLiteral('x-request-bytes', String(reqBody.length)),
      ]);
      socket.write(frame(0x1, 0x4, 1, block)); // HEADERS, END_HEADERS
      for (let off = 0; off < b.length; off += 16384) {
        const last = off + 16384 >= b.length;
        socket.write(frame(0x0, last ? 0x1 : 0, 1, b.subarray(off, off + 16384)));
      }
      if (b.length === 0) socket.write(frame(0x0, 0x1, 1, Buffer.alloc(0)));
    };
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    socket.write(frame(0x4, 0, 0, Buffer.alloc(0))); // the server's SETTINGS (defaults)
    // The client's preface and frames: acknowledge its SETTINGS, give it flow-control credit, stop on GOAWAY.
    let pending = Buffer.alloc(0);
    const bodyLength = Number(req.headers['content-length'] ?? 0);
    let sawPreface = false;
    socket.on('data', (data) => {
      if (!sawPreface && Buffer.concat(chunks).length < bodyLength) {
        chunks.push(data);
        const all = Buffer.concat(chunks);
        if (all.length < bodyLength) return;
        chunks.length = 0;
        chunks.push(all.subarray(0, bodyLength));
        data = all.subarray(bodyLength);
      }
      pending = Buffer.concat([pending, data]);
      if (!sawPreface) {
        const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
        if (pending.length < preface.length) return;
        pending = pending.subarray(preface.length);
        sawPreface = true;
      }
      while (pending.length >= 9) {
        const len = pending.readUIntBE(0, 3);
        if (pending.length < 9 + len) break;
        const type = pending[3];
        const flags = pending[4];
        pending = pending.subarray(9 + len);
        if (type === 0x4 && !(flags & 0x1)) {
          socket.write(frame(0x4, 0x1, 0, Buffer.alloc(0)));
          if (!done) { done = true; answer(); }
        }
        if (type === 0x7) socket.end();
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(upgradePort, address, () => resolve(server.address().port)));
}

// ---------------------------------------------------------------- client
const exchanges = [];

function h2Request(session, conn, { method, path, reqBody = Buffer.alloc(0), headers = {} }) {
  return new Promise((resolve, reject) => {
    const reqHeaders = { ':method': method, ':path': path, 'user-agent': 'traceable-e2e-h2/1.0', ...headers };
    const stream = session.request(reqHeaders, { endStream: reqBody.length === 0 && method === 'GET' });
    let resHeaders;
    const chunks = [];
    stream.on('response', (h) => { resHeaders = h; });
    stream.on('data', (c) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const got = Buffer.concat(chunks);
      const expected = responseFor(headers);
      if (resHeaders[':status'] !== expected.status || !got.equals(expected.body)) {
        reject(new Error(`${path}: unexpected response ${resHeaders[':status']}, ${got.length} bytes`));
        return;
      }
      exchanges.push({ conn, via: 'prior-knowledge', method, path, authority: `${address}:${port}`,
        requestHeaders: headers, requestBody: reqBody.toString('latin1'), status: expected.status,
        responseBody: got.toString('latin1') });
      resolve();
    });
    if (reqBody.length > 0 || method !== 'GET') stream.end(reqBody);
  });
}

async function priorKnowledge(conn, requests, concurrent) {
  const session = http2.connect(`http://${address}:${port}`, { settings: { maxHeaderListSize: 256 * 1024 } });
  await new Promise((resolve, reject) => { session.once('connect', resolve); session.once('error', reject); });
  if (concurrent) await Promise.all(requests.map((r) => h2Request(session, conn, r)));
  else for (const r of requests) await h2Request(session, conn, r);
  await new Promise((resolve) => session.close(resolve));
}

function upgradeRequest(conn, { method, path, reqBody = Buffer.alloc(0), headers = {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'h2c-upgrade-'));
  try {
    const bodyFile = join(dir, 'body');
    const outFile = join(dir, 'out');
    writeFileSync(bodyFile, reqBody);
    const args = ['-sS', '--max-time', '10', '--http2', '-X', method, '-A', 'traceable-e2e-h2/1.0', '-o', outFile,
      '-w', '%{http_version} %{http_code}'];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
    if (reqBody.length > 0) args.push('--data-binary', `@${bodyFile}`, '-H', 'content-type: text/plain');
    args.push(`http://${address}:${upgradePort}${path}`);
    const r = spawnSync('curl', args, { encoding: 'latin1', timeout: 15_000 });
    const expected = responseFor(headers);
    const got = r.status === 0 ? readFileSync(outFile) : Buffer.alloc(0);
    if (r.stdout !== `2 ${expected.status}` || !got.equals(expected.body)) {
      throw new Error(`${path}: curl --http2 gave "${r.stdout}" (${r.stderr.trim()}), ${got.length} bytes`);
    }
    exchanges.push({ conn, via: 'upgrade', method, path, authority: `${address}:${upgradePort}`,
      requestHeaders: headers, requestBody: reqBody.toString('latin1'), status: expected.status,
      responseBody: got.toString('latin1') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function client() {
  const rh = (seed, size, extra = {}) => ({ 'x-response-seed': String(seed), 'x-response-size': String(size), ...extra });
  // Connection 1: one stream after the other.
  await priorKnowledge('pk-serial', [
    { method: 'GET', path: '/h2/items?case=get', headers: rh(1, 120) },
    { method: 'GET', path: '/h2/missing?case=404', headers: rh(2, 20, { 'x-status': '404' }) },
    { method: 'POST', path: '/h2/items?case=post', reqBody: body(3, 300), headers: rh(4, 40, { 'x-status': '201', 'content-type': 'text/plain' }) },
    { method: 'POST', path: '/h2/big?case=64k', reqBody: body(5, 65536), headers: rh(6, 65536) },
    { method: 'PUT', path: '/h2/large?case=over-limit', reqBody: body(7, 150000), headers: rh(8, 150000) },
    // A header block bigger than one frame: the client sends HEADERS + CONTINUATION, and so does the server.
    { method: 'GET', path: '/h2/headers?case=continuation', headers: rh(9, 10, { 'x-big-request-header': 'a'.repeat(40000), 'x-big-response-header': '40000' }) },
  ], false);
  // Connection 2: 20 streams at once, answered out of order so their DATA frames interleave.
  await priorKnowledge('pk-concurrent', Array.from({ length: 20 }, (_, i) => ({
    method: 'POST', path: `/h2/concurrent?stream=${i + 1}`, reqBody: body(100 + i, 1000 * (i + 1)),
    headers: rh(200 + i, 3000 * (i + 1), { 'x-delay-ms': String((20 - i) * 10), 'x-stream': String(i + 1) }),
  })), true);
  // Two connections that start as HTTP/1.1 and switch with Upgrade: h2c (curl --http2).
  upgradeRequest('upgrade-get', { method: 'GET', path: '/h2c/upgrade?case=get', headers: rh(300, 5000) });
  upgradeRequest('upgrade-post', { method: 'POST', path: '/h2c/upgrade?case=post', reqBody: body(301, 2000), headers: rh(302, 700, { 'x-status': '201' }) });
  writeFileSync(outArg, JSON.stringify(exchanges));
}

if (mode === 'server') {
  const ports = await Promise.all([serveH2(), serveUpgrade()]);
  writeFileSync(outArg, `${ports.join(' ')}\n`); // the ports actually bound (0 asks for any free port)
} else if (mode === 'client') {
  await client();
} else {
  console.error('usage: h2c-traffic.mjs server|client ADDRESS PORT UPGRADE_PORT FILE');
  process.exit(2);
}
