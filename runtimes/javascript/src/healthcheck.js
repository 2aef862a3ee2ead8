'use strict';
// `node healthcheck.js HOST:PORT`: exit 0 when the gRPC server there answers the
// standard health check with SERVING, else 1. The image's HEALTHCHECK uses it
// (the JavaScript image has no Python).
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { protoPath } = require('grpc-health-check');

const address = process.argv[2];
if (!address) {
  console.error('usage: node healthcheck.js HOST:PORT');
  process.exit(2);
}
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true, enums: String }));
const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
client.Check({ service: '' }, { deadline: Date.now() + 3000 }, (err, reply) => {
  if (err) {
    console.error(`${address}: not serving: ${err.message}`);
    process.exit(1);
  }
  if (reply.status !== 'SERVING') {
    console.error(`${address}: not serving: ${reply.status}`);
    process.exit(1);
  }
  process.exit(0);
});
