/** The Dockerfile (no Docker here): multi-stage, production dependencies only, non-root runtime. */
import { readFileSync } from 'node:fs';
import { repoPath } from '../src/paths';

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  // Join continuation lines, drop comments.
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

describe('Dockerfile', () => {
  const text = readFileSync(repoPath('Dockerfile'), 'utf8');
  const all = stages(text);
  const runtime = all.at(-1)!;

  it('is multi-stage on a Node LTS image pinned to an exact release (or digest), not Node 20', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
    expect(image).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$|^node@sha256:[0-9a-f]{64}$/);
    const major = Number(/^node:(\d+)\./.exec(image ?? '')?.[1]);
    // Even majors are the LTS lines; 20 is past its end of life (2026-04-30).
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(24);
    expect(runtime.from).toBe('${NODE_IMAGE}');
  });

  it('builds every app with npm run build in a build stage', () => {
    const build = all.find((s) => s.lines.some((l) => l.startsWith('RUN npm run build')));
    expect(build?.name).toBeDefined();
    expect(build).not.toBe(runtime);
    expect(build!.lines.join('\n')).toContain('apps/*/dist');
    expect(runtime.lines).toContain(`COPY --from=${build!.name!} --chown=root:root /out/apps ./apps`);
  });

  it('ships production dependencies only: npm ci --omit=dev, never the build stage node_modules', () => {
    const prod = all.find((s) => s.lines.some((l) => /npm ci .*--omit=dev/.test(l)));
    expect(prod?.name).toBeDefined();
    expect(runtime.lines.filter((l) => l.includes('node_modules'))).toEqual([
      `COPY --from=${prod!.name!} --chown=root:root /src/node_modules ./node_modules`,
    ]);
    expect(runtime.lines.some((l) => /npm (ci|install)(?!.*--omit=dev)/.test(l))).toBe(false);
  });

  it('runs as UID 1001 with node as entrypoint and an app bundle as command', () => {
    const users = runtime.lines.filter((l) => l.startsWith('USER '));
    expect(users).toEqual(['USER 1001:1001']);
    expect(runtime.lines).toContain('ENTRYPOINT ["node"]');
    expect(runtime.lines.find((l) => l.startsWith('CMD'))).toMatch(/^CMD \["apps\/[a-z-]+\/dist\/main\.js"\]$/);
    // The last USER comes after everything that needs root.
    const userIndex = runtime.lines.indexOf('USER 1001:1001');
    expect(runtime.lines.slice(userIndex + 1).filter((l) => /^(RUN|COPY|ADD)/.test(l))).toEqual([]);
  });

  it('keeps local artefacts out of the build context', () => {
    const ignore = readFileSync(repoPath('.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '**/node_modules', '**/dist', '.git', '.env', '.stack'])
      expect(ignore).toContain(entry);
  });
});
