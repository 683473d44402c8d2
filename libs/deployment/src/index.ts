export * from './catalog';
export {
  appManifests,
  sharedManifests,
  toolKafkaUsers,
  topicManifests,
  TOOL_PRINCIPALS,
  type Manifest,
} from './manifests';
export { generatedFiles } from './generate';
export { prometheusConfig } from './prometheus-config';
export { DASHBOARDS, dashboardJson } from './dashboards';
export { documentedMetrics, metricNames } from './promql';
