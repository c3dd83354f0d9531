import { route } from '../server/index.ts';
import { ClockView } from './clock.ts';
import { CounterView } from './counter.ts';
import { HomeView } from './home.ts';
import { SearchView } from './search.ts';

/** The example app's routes: what `npm start` serves. */
export const routes = [
  route('/', HomeView, { title: 'Livery' }),
  route('/counter', CounterView, { title: 'Counter · Livery' }),
  route('/clock', ClockView, { title: 'Clock · Livery' }),
  route('/search', SearchView, { title: 'Search · Livery' }),
];
