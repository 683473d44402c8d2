// The SYI duty's metrics (docs/metrics.md, keeper section): ages and deviation are read from the
// publisher when Prometheus scrapes; publishes are counted as they land.
import {
  type SubmitResult,
  type SyiDecision,
  type SyiFeedStatus,
  type SyiPublisherEvents,
  type SyiRound,
  type TxErrorKind,
} from '@stableyield/chain';
import { metricsOf, type Registry } from '@stableyield/observability';

export function createSyiMetrics(
  registry: Registry,
  status: () => SyiFeedStatus,
): Required<Pick<SyiPublisherEvents, 'onPublish' | 'onPublishError'>> {
  const { counter, gauge } = metricsOf(registry);
  gauge(
    'syi_onchain_age_seconds',
    'Chain time minus updatedAt (the index time T) of the SYI feed latest round',
    [],
    function () {
      const onchain = status().onchain;
      if (onchain) this.set(onchain.ageS);
    },
  );
  gauge(
    'syi_onchain_deviation_bps',
    'Deviation of the newest syi.calculated value from the on-chain SYI, basis points',
    [],
    function () {
      const d = status().deviationBps;
      if (d !== undefined) this.set(d);
    },
  );
  gauge('syi_onchain_round', 'Round id of the SYI feed latest round', [], function () {
    const onchain = status().onchain;
    if (onchain) this.set(Number(onchain.roundId));
  });
  const publishes = counter(
    'syi_onchain_publishes_total',
    'SYI rounds this keeper landed on-chain, by trigger (first, deviation, heartbeat)',
    ['trigger'],
  );
  const errors = counter('syi_onchain_publish_errors_total', 'SYI publishes that failed, by error kind or outcome', [
    'kind',
  ]);
  return {
    onPublish(result: SubmitResult, _round: SyiRound, decision: SyiDecision) {
      if (result.status === 'mined' || result.status === 'landed') publishes.inc({ trigger: decision.reason });
      else if (result.status === 'reverted' || result.status === 'pending') errors.inc({ kind: result.status });
    },
    onPublishError(kind: TxErrorKind, _err: unknown) {
      errors.inc({ kind });
    },
  };
}
