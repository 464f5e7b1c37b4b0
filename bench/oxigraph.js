// Oxigraph (npm package `oxigraph`, run with node): load an N-Triples file
// into an in-memory store, then run each query once cold and N times warm
// (the warm runs stop after 60 s).
// Prints the same "key=value" lines as kgbench.
//   node oxigraph.js FILE REPEAT QUERY.rq...
'use strict';
const fs = require('fs');
const path = require('path');
const oxigraph = require('oxigraph');

const [file, repeatArg, ...queries] = process.argv.slice(2);
const repeat = parseInt(repeatArg, 10);
const now = () => Number(process.hrtime.bigint()) / 1e9;

const store = new oxigraph.Store();
let t0 = now();
const data = fs.readFileSync(file);
store.load(data, { format: 'application/n-triples', no_transaction: true });
const secs = now() - t0;
const n = store.size;
console.log(`load triples=${n} seconds=${secs.toFixed(4)} rate=${(n / secs).toFixed(0)} rss_kb=${Math.round(process.memoryUsage().rss / 1024)}`);

function run(text) {
  const r = store.query(text);
  return Array.isArray(r) ? r.length : 1;
}
for (const q of queries) {
  const text = fs.readFileSync(q, 'utf8');
  const name = path.basename(q);
  let rows;
  t0 = now();
  try {
    rows = run(text);
  } catch (e) {
    console.log(`query name=${name} status=error cold_ms=${((now() - t0) * 1e3).toFixed(3)}`);
    continue;
  }
  const cold = now() - t0;
  const times = [];
  // warm runs: REPEAT of them, or as many as 60 s allow (one at least)
  let spent = 0;
  for (let i = 0; i < repeat && (i === 0 || spent < 60); i++) {
    t0 = now();
    run(text);
    times.push(now() - t0);
    spent += times[times.length - 1];
  }
  times.sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : cold;
  console.log(`query name=${name} status=ok rows=${rows} cold_ms=${(cold * 1e3).toFixed(3)} median_ms=${(median * 1e3).toFixed(3)}`);
}
console.log(`end rss_kb=${Math.round(process.memoryUsage().rss / 1024)}`);
