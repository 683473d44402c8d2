// Error text that is safe to log or serve. RPC clients put the endpoint into their error messages
// (viem: "URL: https://host/v2/<key>", node: "connect ECONNREFUSED" with "user:pw@host"), and
// providers carry the API key in the URL's path, query or userinfo. So a summary is the error's
// short message (first line), every URL cut down to scheme, host and port, and a bounded length.

/** `scheme://[userinfo@]host[:port][path?query#fragment]` anywhere in a text. */
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s/?#@]*@)?([^\s/?#:@]+)(:\d+)?([^\s]*)/gi;

const SUMMARY_MAX_CHARS = 300;

/** Replaces every URL in `text` by its scheme, host and port; a path, query or fragment becomes "/…". */
export function maskUrls(text: string): string {
  return text.replace(URL_PATTERN, (_url, scheme: string, host: string, port: string | undefined, rest: string) => {
    const hidden = rest.length > 0 && rest !== '/' ? '/…' : '';
    return `${scheme}://${host}${port ?? ''}${hidden}`;
  });
}

/**
 * One line that says what failed without the endpoint's secrets: for /status, /health and error
 * records (a log line takes the error itself, `{ err }`: the logger masks its URLs).
 */
export function errorSummary(err: unknown, maxChars = SUMMARY_MAX_CHARS): string {
  const text = shortMessage(err);
  const masked = maskUrls(text);
  return masked.length > maxChars ? `${masked.slice(0, maxChars - 1)}…` : masked;
}

function shortMessage(err: unknown): string {
  if (err instanceof Error) {
    // viem's errors keep a one-line summary apart from the multi-line message (URL, request body, version).
    const short = (err as { shortMessage?: unknown }).shortMessage;
    const text = typeof short === 'string' && short.length > 0 ? short : err.message;
    return text.split('\n')[0]?.trim() || err.name;
  }
  return String(err).split('\n')[0] ?? '';
}
