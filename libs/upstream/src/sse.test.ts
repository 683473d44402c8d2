import { SseDecoder, parseSseText } from './sse';

describe('SseDecoder', () => {
  it('handles frames split across chunks, CRLF, comments and the optional space after the colon', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(':\n\nevent:err')).toEqual([]);
    expect(decoder.push('or\r\ndata: a\r')).toEqual([]);
    expect(decoder.push('\ndata:b\r\n\r\nid:7\nretry:3000\ndata:c\n\n')).toEqual([
      { event: 'error', data: 'a\nb' },
      { event: 'message', data: 'c', id: '7', retry: 3000 },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('ignores frames without data and dispatches a last frame at end of stream', () => {
    expect(parseSseText('event:ping\n\ndata:x')).toEqual([{ event: 'message', data: 'x' }]);
  });
});
