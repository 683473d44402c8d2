import { fixtureJson } from '../test/fixtures';
import { mapFredObservations } from './fred';

describe('FRED series/observations', () => {
  it('takes the latest non-missing DGS3MO observation of the 2024-06-27 capture', () => {
    expect(mapFredObservations(fixtureJson('fred_series_observations_DGS3MO_20240627.json'), 'DGS3MO')).toEqual({
      ok: true,
      records: { series: 'DGS3MO', rate: 5.49, date: '2024-06-25', ts: Date.UTC(2024, 5, 25) },
    });
  });

  it('skips "." whatever the sort order', () => {
    const body = {
      observations: [
        { date: '2024-06-19', value: '.' },
        { date: '2024-06-18', value: '5.5' },
        { date: '2024-06-17', value: '5.52' },
      ],
    };
    expect(mapFredObservations(body, 'DGS3MO')).toEqual({
      ok: true,
      records: { series: 'DGS3MO', rate: 5.5, date: '2024-06-18', ts: Date.UTC(2024, 5, 18) },
    });
  });

  it('fails with a reason when every value is missing, on a bad value, and on an error body', () => {
    expect(mapFredObservations({ observations: [{ date: '2024-05-27', value: '.' }] }, 'DGS3MO')).toEqual({
      ok: false,
      reason: 'fred: DGS3MO: no observation with a value (all missing or none returned)',
    });
    const bad = mapFredObservations({ observations: [{ date: '2024-05-27', value: 'n/a' }] }, 'DGS3MO');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('observations.0.value');
    expect(mapFredObservations({ error_code: 400, error_message: 'Bad Request.' }, 'DGS3MO')).toEqual({
      ok: false,
      reason: 'fred: error 400: Bad Request.',
    });
  });
});
