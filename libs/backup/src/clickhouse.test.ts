import { checkIdentifier, retarget, sortForRestore } from './clickhouse';

describe('retarget', () => {
  it('moves every qualifier of the source database to the target, quoted or not', () => {
    const view =
      'CREATE VIEW src.syi_index_1m (`bucket` DateTime) AS SELECT toStartOfMinute(event_time) AS ' +
      'bucket FROM src.syi_index FINAL GROUP BY bucket';
    expect(retarget(view, 'src', 'dst')).toBe(
      'CREATE VIEW dst.syi_index_1m (`bucket` DateTime) AS SELECT toStartOfMinute(event_time) AS ' +
        'bucket FROM dst.syi_index FINAL GROUP BY bucket',
    );
    expect(retarget('CREATE TABLE `src`.`t` (x UInt8) ENGINE = Memory', 'src', 'dst')).toBe(
      'CREATE TABLE `dst`.`t` (x UInt8) ENGINE = Memory',
    );
  });

  it('leaves names that only contain the database name alone', () => {
    const sql = 'CREATE TABLE src.t (mysrc.x UInt8, src_y UInt8) ENGINE = Memory';
    expect(retarget(sql, 'src', 'dst')).toBe('CREATE TABLE dst.t (mysrc.x UInt8, src_y UInt8) ENGINE = Memory');
  });

  it('accepts plain identifiers only', () => {
    expect(() => retarget('x', 'a;DROP', 'b')).toThrow('not a plain ClickHouse identifier');
    expect(checkIdentifier('stableyield_analytics')).toBe('stableyield_analytics');
    expect(() => checkIdentifier('1abc')).toThrow();
  });
});

describe('sortForRestore', () => {
  it('creates data tables before the views that read them', () => {
    const sorted = sortForRestore([
      { name: 'a_view', view: true },
      { name: 'z_table', view: false },
      { name: 'b_table', view: false },
    ]);
    expect(sorted.map((t) => t.name)).toEqual(['b_table', 'z_table', 'a_view']);
  });
});
