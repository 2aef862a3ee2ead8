'use strict';
// `node healthcheck.js HOST:PORT`: exit 0 when the gRPC server there answers the standard
// health check (grpc.health.v1.Health/Check, service "") with SERVING, else 1. Plain
// node:http2, no packages: the image's own HEALTHCHECK uses the Python one
// (python -m egca_runtime_javascript.healthcheck); this one serves deployments that call node.
const http2 = require('http2');

const address = process.argv[2];
if (!address) {
  console.error('usage: node healthcheck.js HOST:PORT');
  process.exit(2);
}
const fail = (why) => {
  console.error(`${address}: not serving: ${why}`);
  process.exit(1);
};
setTimeout(() => fail('no answer within 3 s'), 3000).unref();

const client = http2.connect(`http://${address}`);
client.on('error', (e) => fail(e.message));
const req = client.request({
  ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers',
});
const chunks = [];
let status = null;
req.on('response', (headers) => { if (headers['grpc-status'] !== undefined) status = headers['grpc-status']; });
req.on('trailers', (trailers) => { status = trailers['grpc-status']; });
req.on('data', (c) => chunks.push(c));
req.on('error', (e) => fail(e.message));
req.on('end', () => {
  client.close();
  if (String(status) !== '0') fail(`grpc-status ${status}`);
  // One length-prefixed HealthCheckResponse: field 1 (status), a varint; SERVING = 1.
  const body = Buffer.concat(chunks);
  const msg = body.subarray(5, 5 + (body.length >= 5 ? body.readUInt32BE(1) : 0));
  const serving = msg.length >= 2 && msg[0] === 0x08 && msg[1] === 0x01;
  if (!serving) fail(`status ${msg.length >= 2 && msg[0] === 0x08 ? msg[1] : 'UNKNOWN'}`);
  process.exit(0);
});
req.end(Buffer.from([0, 0, 0, 0, 0]));   // an empty HealthCheckRequest (service "")
