import { DLQ_HEADERS, MAX_DEAD_LETTER_VALUE_BYTES, deadLetterRecord, readDeadLetterHeaders } from './dlq';

describe('deadLetterRecord', () => {
  it('keeps the payload untouched and puts the reason and source in headers', () => {
    const payload = Buffer.from('{"price":"abc"}');
    const record = deadLetterRecord(
      {
        sourceTopic: 'cc.prices',
        kind: 'invalid',
        reason: 'cc.prices.price must be a finite number > 0',
        key: 'USDC-binance',
        value: payload,
        partition: 3,
        offset: '42',
        headers: { 'upstream.url': 'http://sim/binance' },
      },
      Date.UTC(2026, 0, 1),
    );
    expect(record.topic).toBe('cc.prices.dlq');
    expect(record.value).toBe(payload);
    expect(record.key).toBe('USDC-binance');
    expect(readDeadLetterHeaders(record.headers)).toEqual({
      'upstream.url': 'http://sim/binance',
      [DLQ_HEADERS.reason]: 'cc.prices.price must be a finite number > 0',
      [DLQ_HEADERS.kind]: 'invalid',
      [DLQ_HEADERS.sourceTopic]: 'cc.prices',
      [DLQ_HEADERS.sourcePartition]: '3',
      [DLQ_HEADERS.sourceOffset]: '42',
      [DLQ_HEADERS.failedAt]: '2026-01-01T00:00:00.000Z',
    });
  });

  it('omits partition and offset for an upstream payload that never was a record', () => {
    const headers = readDeadLetterHeaders(
      deadLetterRecord({ sourceTopic: 'trad.tbill', kind: 'upstream', reason: 'r', value: 'body' }).headers,
    );
    expect(headers[DLQ_HEADERS.sourcePartition]).toBeUndefined();
    expect(headers[DLQ_HEADERS.sourceOffset]).toBeUndefined();
  });

  it('cuts a payload larger than the limit, marks it and records the original size', () => {
    const huge = 'x'.repeat(3 * 1024 * 1024); // above the broker's 1 MiB message limit
    const record = deadLetterRecord(
      { sourceTopic: 'pyth.updates', kind: 'invalid', reason: 'r'.repeat(10_000), value: huge },
      0,
    );
    const value = record.value as Buffer;
    expect(value.length).toBe(MAX_DEAD_LETTER_VALUE_BYTES);
    expect(value.toString().endsWith('…[truncated]')).toBe(true);
    const headers = readDeadLetterHeaders(record.headers);
    expect(headers[DLQ_HEADERS.truncatedFrom]).toBe(String(3 * 1024 * 1024));
    expect(headers[DLQ_HEADERS.reason]!.length).toBeLessThanOrEqual(1_025);
  });

  it('leaves a payload within the limit untouched, without the truncation header', () => {
    const record = deadLetterRecord({ sourceTopic: 'cc.prices', kind: 'invalid', reason: 'bad', value: 'small' }, 0);
    expect(record.value).toBe('small');
    expect(readDeadLetterHeaders(record.headers)[DLQ_HEADERS.truncatedFrom]).toBeUndefined();
  });
});
