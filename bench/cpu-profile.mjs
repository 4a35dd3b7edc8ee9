// CPU profile of a child process over one phase only (BENCH_PROFILE=1 in bench/intake.bench.mjs):
// the child runs with `--inspect=127.0.0.1:<port>`, and the DevTools protocol starts and stops
// V8's sampling profiler around the phase, so the profile holds that phase and nothing else (not
// the start-up, the fixtures or the other phases). Needs the WebSocket client of Node
// (`--experimental-websocket` on Node 20). `summarizeProfile` prints the top self-time functions
// and the self time per package. The .cpuprofile file opens in Chrome DevTools.
import { writeFileSync } from 'node:fs';

/** Connects to the inspector on `port`, starts the profiler; `stop(path)` writes the profile and returns it. */
export async function startProfiling(port, samplingIntervalUs = 1000) {
  if (typeof globalThis.WebSocket !== 'function') throw new Error('BENCH_PROFILE=1 needs `node --experimental-websocket` (Node 20)');
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await send('Profiler.start');
  return {
    async stop(path) {
      const { profile } = await send('Profiler.stop');
      socket.close();
      writeFileSync(path, JSON.stringify(profile));
      return profile;
    },
  };
}

/** Self time per function and per package (node_modules/<name>, node internals, the service's own code). */
export function summarizeProfile(profile, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byFunction = new Map();
  const byPackage = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const url = callFrame.url || '';
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
    const key = `${callFrame.functionName || '(anonymous)'} ${file}${url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = file.startsWith('node_modules/')
      ? file.split('/').slice(1, file.split('/')[1].startsWith('@') ? 3 : 2).join('/')
      : file.startsWith('dist/')
        ? file.split('/').slice(0, 4).join('/')
        : file.startsWith('node:')
          ? 'node internals'
          : `(${callFrame.functionName || 'native'})`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const list = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return [`Self time, top functions (total ${(total / 1000).toFixed(0)} ms sampled):`, ...list(byFunction), '', 'Self time per package:', ...list(byPackage)].join('\n');
}
