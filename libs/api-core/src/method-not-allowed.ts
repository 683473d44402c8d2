/**
 * Which methods a path has, so a known path asked with another method answers 405 with `Allow`
 * instead of 404. Fastify routes by method first and offers no lookup by concrete path.
 */
export class RouteMethods {
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  /** A route as registered: `/api/peg/:symbol`, methods `GET` (HEAD is implied by fastify). */
  add(url: string, methods: string | readonly string[]): void {
    let route = this.routes.get(url);
    if (!route) this.routes.set(url, (route = { pattern: patternOf(url), methods: new Set() }));
    for (const m of typeof methods === 'string' ? [methods] : methods) route.methods.add(m.toUpperCase());
  }

  /** The methods of the routes matching a concrete path, sorted; empty when none does. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const route of this.routes.values()) if (route.pattern.test(path)) for (const m of route.methods) out.add(m);
    return [...out].sort();
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/a/:x/b` → /^\/a\/[^/]+\/b\/?$/; a trailing `*` matches the rest. */
function patternOf(url: string): RegExp {
  const parts = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escape(segment)));
  return new RegExp(`^${parts.join('/')}/?$`);
}
