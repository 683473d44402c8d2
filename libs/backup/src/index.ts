export { backup, restore, type Targets } from './backup';
export { retarget, sortForRestore, type ClickHouseTarget } from './clickhouse';
export { readVerifiedManifest, type Manifest } from './manifest';
