// Bundles an app (run from its folder) into dist/main.js with esbuild.
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
  // Packages from node_modules stay external (the image installs them with npm ci);
  // our workspace libs (@stableyield/*) are bundled into the app.
  plugins: [{
    name: 'externalize-node-modules',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@stableyield/') ? undefined : { path: args.path, external: true }));
    },
  }],
  logLevel: 'warning',
});
console.log(`built ${pkg.name} → dist/main.js`);
