// Bundles an app (run from its folder) into dist/main.js with esbuild: our libs are
// inlined, packages from node_modules stay external and come from the image's npm ci.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  // Workspace libs are symlinked packages: bundle them rather than leaving them external.
  plugins: [{
    name: 'inline-workspace-libs',
    setup(b) {
      b.onResolve({ filter: /^@stableyield\// }, async (args) => {
        if (args.pluginData?.inlined) return undefined;
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { inlined: true } });
        return { path: r.path, external: false };
      });
    },
  }],
  logLevel: 'warning',
});
console.log(`built ${pkg.name} → dist/main.js`);
