// A small incremental decoder for text/event-stream (WHATWG HTML §9.2.6): feed it chunks, get complete
// frames. Comment lines (`:` keep-alives) are ignored; `data` lines are joined with "\n".

export interface SseFrame {
  /** The `event:` name; "message" when the frame had none. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

export class SseDecoder {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;

  /** Decodes a chunk; returns the frames completed by it. */
  push(chunk: string): SseFrame[] {
    this.buffer += chunk;
    const frames: SseFrame[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone "\r" at the end may be the first half of "\r\n": wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const frame = this.line(line);
      if (frame !== null) frames.push(frame);
    }
    return frames;
  }

  /** End of stream: a last frame without its blank line is dispatched too (a lenient reading of the spec). */
  end(): SseFrame[] {
    const frames = this.buffer === '' ? [] : this.push('\n');
    const last = this.dispatch();
    return last === null ? frames : [...frames, last];
  }

  private line(line: string): SseFrame | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): SseFrame | null {
    const hasData = this.data.length > 0;
    const frame: SseFrame = { event: this.event === '' ? 'message' : this.event, data: this.data.join('\n') };
    if (this.id !== undefined) frame.id = this.id;
    if (this.retry !== undefined) frame.retry = this.retry;
    this.event = '';
    this.data = [];
    this.retry = undefined;
    return hasData ? frame : null;
  }
}

/** Decodes a whole SSE body. */
export function parseSseText(text: string): SseFrame[] {
  const decoder = new SseDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
