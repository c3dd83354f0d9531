import { LiveView } from '../server/index.ts';

const DEMOS = [
  { path: '/counter', title: 'Counter', about: 'click + and -; the count lives on the server' },
  { path: '/clock', title: 'Clock', about: 'the server pushes its time every second' },
  { path: '/search', title: 'Search', about: 'filter 600 items as you type' },
  { path: '/projects', title: 'Projects', about: 'a multi-tenant board with tasks and files per project: try acme.localhost:3000/projects and /t/globex/projects' },
  { path: '/files', title: 'Files', about: 'resumable uploads with progress: drop a large file, drop the connection, watch it resume' },
];

/**
 * `/`: links to every demo, the nested clock, and a live component (`Stepper`, views/stepper.ts)
 * whose own step the page adds to its total through `handleComponentMessage`.
 */
export class HomeView extends LiveView<{ demos: typeof DEMOS; total: number }> {
  static template = 'home.html';

  mount() {
    return { demos: DEMOS, total: 0 };
  }

  handleComponentMessage(_id: string, message: unknown) {
    this.state.total += (message as { add: number }).add;
  }
}
