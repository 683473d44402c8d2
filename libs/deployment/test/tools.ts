/**
 * The command-line tools the deployment tests run (installed by scripts/install-deploy-tools.sh).
 * A missing tool fails the test with the command that installs it; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TOOLS_DIR = process.env.DEPLOY_TOOLS_DIR ?? join(homedir(), '.cache/stableyield/deploy-tools');
export const SCHEMA_DIR = join(TOOLS_DIR, 'schemas/v1.32.0-local-strict');
export const CRD_DIR = join(TOOLS_DIR, 'crds');

/** Time for a test or hook that runs the tools (kustomize, helm, kubeconform, promtool, amtool). */
export const TOOL_TIMEOUT = 120_000;

export type Tool = 'helm' | 'kubeconform' | 'kustomize' | 'promtool' | 'amtool';

export function toolPath(tool: Tool): string {
  const path = join(TOOLS_DIR, 'bin', tool);
  if (!existsSync(path)) {
    throw new Error(`${tool} is not installed at ${path}: run scripts/install-deploy-tools.sh first`);
  }
  return path;
}

export function requireFile(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/install-deploy-tools.sh first`);
  return path;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(tool: Tool, args: readonly string[], options: { cwd?: string; input?: string } = {}): RunResult {
  const result = spawnSync(toolPath(tool), args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a tool and returns its stdout, or throws with its output when it exits non-zero. */
export function runOk(tool: Tool, args: readonly string[], options: { cwd?: string; input?: string } = {}): string {
  const r = run(tool, args, options);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${String(r.status)}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
