/**
 * NestFactory.create options for a process whose failed start is one line on stderr.
 * By default Nest logs the error with its stack through its console logger and exits by
 * itself; with these the error reaches the caller's catch, and the logs of the start stay
 * buffered until the JSON logger takes over: call `app.useLogger(...)`, then
 * `app.flushLogs()`.
 */
export const NEST_START_OPTIONS = { bufferLogs: true, autoFlushLogs: false, abortOnError: false } as const;
