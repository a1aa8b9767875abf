// Preloaded (node --require) into a server that run.mjs wants to profile. The parent
// starts and stops the V8 CPU profiler over the IPC channel, so the profile covers the
// load window only (not startup, not shutdown):
//   parent → { type: 'cpu-profile-start' }            child → { type: 'cpu-profile-started' }
//   parent → { type: 'cpu-profile-stop', file }       child → { type: 'cpu-profile-written', file }
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

if (typeof process.send === 'function') {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const reply = (message) => process.send(message);
  const onError = (error) => reply({ type: 'cpu-profile-error', message: String(error?.message ?? error) });

  process.on('message', (message) => {
    if (message?.type === 'cpu-profile-start') {
      post('Profiler.enable')
        // 1 ms sampling: ~10k samples per 10 s run per busy thread, plenty for a summary.
        .then(() => post('Profiler.setSamplingInterval', { interval: 1000 }))
        .then(() => post('Profiler.start'))
        .then(() => reply({ type: 'cpu-profile-started' }), onError);
    } else if (message?.type === 'cpu-profile-stop') {
      post('Profiler.stop')
        .then(({ profile }) => {
          writeFileSync(message.file, JSON.stringify(profile));
          reply({ type: 'cpu-profile-written', file: message.file });
        }, onError);
    }
  });
  // The channel must not keep the server alive on its own.
  process.channel?.unref();
}
