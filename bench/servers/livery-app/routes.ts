/**
 * The routes the bench's Livery server serves. Route paths are the bench's view names
 * (`/counter` is the view "counter" that scenarios ask for); the server advertises as features
 * exactly the routes that answer with a joinable page.
 */
import { route } from '../../../server/index.ts';
import type { Route } from '../../../server/index.ts';
import { ClockBadgeView, ClockView } from '../../../views/clock.ts';
import { CounterView } from '../../../views/counter.ts';
import { SearchView } from '../../../views/search.ts';
import { Stepper } from '../../../views/stepper.ts';
import { BroadcastView, ClientPatchView, FilesView, IdleView, ListView, PageSize10000View, PageSize1000View, PageSize100View, Stream10kView, StreamNoneView, TableView, Tick10HzView, Tick1HzView, Tick20HzView, Tick5HzView, TickNoopView } from './views.ts';

export const benchRoutes: Route[] = [
  route('/counter', CounterView),
  route('/clock', ClockView),
  route('/search', SearchView),
  route('/tick-noop', TickNoopView),
  route('/table', TableView),
  route('/list', ListView),
  route('/idle', IdleView),
  route('/broadcast', BroadcastView),
  route('/files', FilesView),
  route('/page-size-100', PageSize100View),
  route('/page-size-1000', PageSize1000View),
  route('/page-size-10000', PageSize10000View),
  route('/client-patch', ClientPatchView),
  route('/tick-1hz', Tick1HzView),
  route('/tick-5hz', Tick5HzView),
  route('/tick-10hz', Tick10HzView),
  route('/tick-20hz', Tick20HzView),
  route('/stream-none', StreamNoneView),
  route('/stream-10k', Stream10kView),
];

/**
 * The example app's templates are copied beside the bench's (its counter, clock and search pages
 * are served), and every template compiles at startup: the views they nest must be known.
 */
export const nestedViews = [ClockBadgeView];

/** The live components the example templates show (the home page's Stepper, D80): known for the same reason. */
export const components = { Stepper };

/** Bench views that need a Livery feature not built yet; listed so the report can say which. */
export const pendingViews: string[] = [];
