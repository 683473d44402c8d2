// The whole system for the end-to-end test, the fault run and the system benchmark, by concern:
//   system.ts        System: starts the system, drives it, verify() checks every promise it makes
//   supervisor.ts    process supervision: the apps as child processes, restarted when they crash
//   rpc-proxy.ts     the RPC fault: a relay in front of the keeper's chain connection, cut on demand
//   store-checks.ts  store verification: PostgreSQL, ClickHouse and the WebSocket stream against the index
//   live-stream.ts   WebSocket clients of the gateway that reconnect, as the ticker page does
//   stack-faults.ts  faults on the stack (a component or a broker down) and on a process's clock
export { GRID_MS, LATENESS_MS, System, type SystemOptions, type Verification } from './system';
export { AppSupervisor, SYSTEM_APPS, type SystemApp } from './supervisor';
export { RpcProxy } from './rpc-proxy';
export { checkClickHouseIndex, checkPostgresIndex, checkStreams, describeDifference } from './store-checks';
export { subscribe, type StreamClient } from './live-stream';
export { faketimeEnv, kafkaClusterNode, stackCommand } from './stack-faults';
