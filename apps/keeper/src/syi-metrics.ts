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
import { Counter, Gauge, type Registry } from '@stableyield/observability';

export function createSyiMetrics(
  registry: Registry,
  status: () => SyiFeedStatus,
): Required<Pick<SyiPublisherEvents, 'onPublish' | 'onPublishError'>> {
  const registers = [registry];
  new Gauge({
    name: 'syi_onchain_age_seconds',
    help: 'Chain time minus updatedAt (the index time T) of the SYI feed latest round',
    registers,
    collect() {
      const onchain = status().onchain;
      if (onchain) this.set(onchain.ageS);
    },
  });
  new Gauge({
    name: 'syi_onchain_deviation_bps',
    help: 'Deviation of the newest syi.calculated value from the on-chain SYI, basis points',
    registers,
    collect() {
      const d = status().deviationBps;
      if (d !== undefined) this.set(d);
    },
  });
  new Gauge({
    name: 'syi_onchain_round',
    help: 'Round id of the SYI feed latest round',
    registers,
    collect() {
      const onchain = status().onchain;
      if (onchain) this.set(Number(onchain.roundId));
    },
  });
  const publishes = new Counter({
    name: 'syi_onchain_publishes_total',
    help: 'SYI rounds this keeper landed on-chain, by trigger (first, deviation, heartbeat)',
    labelNames: ['trigger'],
    registers,
  });
  const errors = new Counter({
    name: 'syi_onchain_publish_errors_total',
    help: 'SYI publishes that failed, by error kind or outcome',
    labelNames: ['kind'],
    registers,
  });
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
