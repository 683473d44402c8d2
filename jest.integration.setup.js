// Integration tests drive real processes, brokers and databases on a 2-core machine; a timing
// hiccup under load should not sink a run, so a failing test is retried once and its first
// failure is still printed (look for "retry" in the log: a test that needs it is a bug to fix).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
// Tests share the stack's broker with `npm start`: every producer refuses the production
// (unprefixed) topics (libs/kafka/src/test-guard.ts); apps a test starts inherit the variable.
process.env.STABLEYIELD_TEST = '1';
