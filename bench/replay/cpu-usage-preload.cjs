// Loaded with `node --require` into each replay the replay bench runs: reports the process's
// CPU time (user + system, µs, startup included) on stderr as it exits.
process.on('exit', () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  process.stderr.write(`\nbench-cpu-us ${userCPUTime + systemCPUTime}\n`);
});
