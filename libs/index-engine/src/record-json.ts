// The JSON text of an index record, exactly as JSON.stringify(record) spells it, about twice as
// fast for a stream of records: the layout is written out by hand, and a number that did not
// change since the previous record (market cap, APY, scores, depth…) reuses its text.

import type { ConstituentRecord, IndexRecord } from './record';

/** A number as JSON.stringify writes it: the shortest round-trip form, null when not finite. */
function numberJson(n: number): string {
  return JSON.stringify(n);
}

/** The text of the last number written in one position of the record. */
class NumberMemo {
  private value = NaN;
  private text = 'null';

  json(n: number): string {
    if (n !== this.value) {
      this.value = n;
      this.text = numberJson(n);
    }
    return this.text;
  }
}

class ConstituentMemo {
  readonly symbolJson: string;
  readonly price = new NumberMemo();
  readonly devBps = new NumberMemo();
  readonly marketCapUsd = new NumberMemo();
  readonly apyEff = new NumberMemo();
  readonly pegScore = new NumberMemo();
  readonly sigmaBps = new NumberMemo();
  readonly liquidityScore = new NumberMemo();
  readonly counterpartyScore = new NumberMemo();
  readonly depthUsd = new NumberMemo();
  readonly volume24hUsd = new NumberMemo();
  readonly ray = new NumberMemo();
  readonly weight = new NumberMemo();

  constructor(symbol: string) {
    this.symbolJson = JSON.stringify(symbol);
  }
}

/**
 * Writes index records as JSON lines. Each record's text equals JSON.stringify(record) for the
 * records IndexState produces (the keys of IndexRecord and ConstituentRecord, in their order).
 * Keep one writer per output stream: it remembers the previous record's numbers.
 */
export class IndexRecordWriter {
  private readonly constituents = new Map<string, ConstituentMemo>();
  private readonly strings = new Map<string, string>();
  private readonly tbillRate = new NumberMemo();

  private stringJson(s: string): string {
    let json = this.strings.get(s);
    if (json === undefined) {
      json = JSON.stringify(s);
      this.strings.set(s, json);
    }
    return json;
  }

  private constituentJson(c: ConstituentRecord): string {
    let memo = this.constituents.get(c.symbol);
    if (memo === undefined) {
      memo = new ConstituentMemo(c.symbol);
      this.constituents.set(c.symbol, memo);
    }
    return (
      `{"symbol":${memo.symbolJson},"price":${memo.price.json(c.price)},"devBps":${memo.devBps.json(c.devBps)}` +
      `,"marketCapUsd":${memo.marketCapUsd.json(c.marketCapUsd)},"apyEff":${memo.apyEff.json(c.apyEff)}` +
      `,"pegScore":${memo.pegScore.json(c.pegScore)},"sigmaBps":${memo.sigmaBps.json(c.sigmaBps)}` +
      `,"liquidityScore":${memo.liquidityScore.json(c.liquidityScore)}` +
      `,"counterpartyScore":${memo.counterpartyScore.json(c.counterpartyScore)}` +
      `,"depthUsd":${memo.depthUsd.json(c.depthUsd)},"volume24hUsd":${memo.volume24hUsd.json(c.volume24hUsd)}` +
      `,"ray":${memo.ray.json(c.ray)},"weight":${memo.weight.json(c.weight)}}`
    );
  }

  /** The record's JSON text (no newline). */
  json(record: IndexRecord): string {
    let constituents = '';
    const list = record.constituents;
    for (let i = 0; i < list.length; i++) {
      if (i > 0) constituents += ',';
      constituents += this.constituentJson(list[i] as ConstituentRecord);
    }
    const tbill = record.tbillRate === null ? 'null' : this.tbillRate.json(record.tbillRate);
    const rpl = record.rpl === null ? 'null' : numberJson(record.rpl);
    return (
      `{"ts":${numberJson(record.ts)},"value":${numberJson(record.value)},"tbillRate":${tbill},"rpl":${rpl}` +
      `,"mode":${this.stringJson(record.mode)},"eligible":${numberJson(record.eligible)}` +
      `,"methodologyVersion":${this.stringJson(record.methodologyVersion)},"constituents":[${constituents}]}`
    );
  }
}
