import { LiveView } from 'livery';

/** `/`: a counter. Its state lives on the server; the page updates over the live socket. */
export class HomeView extends LiveView<{ count: number }> {
  static template = 'home.html';
  static events = { inc: null };

  mount() {
    return { count: 0 };
  }

  inc() {
    this.state.count += 1;
  }
}
