// Integration tests drive real processes, brokers and databases on a 2-core machine; a timing
// hiccup under load should not sink a run, so a failing test is retried once and its first
// failure is still printed (look for "retry" in the log: a test that needs it is a bug to fix).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
