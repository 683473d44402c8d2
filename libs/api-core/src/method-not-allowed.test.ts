import { RouteMethods } from './method-not-allowed';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('/api/index/latest', ['GET', 'HEAD']);
  routes.add('/api/peg/:symbol', 'GET');
  routes.add('/api/peg/:symbol', 'head');
  routes.add('/api/index/constituents/:symbol/history', 'GET');
  routes.add('/static/*', 'GET');

  it('lists the methods of the route a concrete path matches', () => {
    expect(routes.allowed('/api/index/latest')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/index/latest/')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/peg/USDC')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/index/constituents/DAI/history')).toEqual(['GET']);
    expect(routes.allowed('/static/a/b.js')).toEqual(['GET']);
  });

  it('matches a parameter within one segment only, and nothing else', () => {
    expect(routes.allowed('/api/peg/US/DC')).toEqual([]);
    expect(routes.allowed('/api/peg/')).toEqual([]);
    expect(routes.allowed('/api/index/latestx')).toEqual([]);
    expect(routes.allowed('/api/index.latest')).toEqual([]);
  });
});
