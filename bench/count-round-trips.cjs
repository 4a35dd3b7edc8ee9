// Preloaded by bench/round-trips.mjs into the server it measures (`--require`): counts the socket
// writes of the process by peer (PostgreSQL on 5432, Redis on 6379, anything else is an HTTP
// answer) and the `pg` queries (with BENCH_COUNT_STATEMENTS=1, per statement: its prepared name
// or its first 60 characters). Each write is one system call that hands the peer work, i.e. one
// round trip. On SIGUSR2 it writes the counts so far to `$BENCH_COUNT_DIR/<pid>.json`.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const counts = { writes: { pg: 0, redis: 0, http: 0 }, pgQueries: 0 };
const writeGeneric = net.Socket.prototype._writeGeneric;
net.Socket.prototype._writeGeneric = function (writev, data, encoding, cb) {
  const peer = this.remotePort === 5432 ? 'pg' : this.remotePort === 6379 ? 'redis' : 'http';
  counts.writes[peer]++;
  return writeGeneric.call(this, writev, data, encoding, cb);
};
const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  counts.pgQueries++;
  if (process.env.BENCH_COUNT_STATEMENTS === '1') {
    const a = args[0];
    const key = typeof a === 'string' ? a : a && (a.name ?? a.text);
    const short = String(key).replace(/\s+/g, ' ').slice(0, 60);
    (counts.statements ??= {})[short] = (counts.statements[short] ?? 0) + 1;
  }
  return query.apply(this, args);
};
process.on('SIGUSR2', () => fs.writeFileSync(path.join(process.env.BENCH_COUNT_DIR, `${process.pid}.json`), JSON.stringify(counts)));
