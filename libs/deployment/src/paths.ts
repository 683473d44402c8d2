import { join, resolve } from 'node:path';

/** The repository root, found from this file (libs/deployment/src). */
export const REPO_ROOT = resolve(__dirname, '../../..');

export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
