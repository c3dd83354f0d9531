/**
 * The soak's views. Every session ticks (the "ticking sessions"); a quarter of them are
 * in a room as well, so that topics, broadcasts and presence are held and released all run long.
 */
import { LiveView } from '../../server/index.ts';

/** Rooms the room sessions spread over (about 25 sessions each at 10,000 sessions). */
const ROOMS = 100;

/** Ticks every second; `inc` is the event the load sends. */
export class SoakView extends LiveView<{ ticks: number; count: number; room: string; present: number; heard: number }> {
  static template = 'soak.html';
  static tickInterval = 1000;
  static events = { inc: null, say: null };

  mount() {
    return { ticks: 0, count: 0, room: '', present: 0, heard: 0 };
  }

  tick() {
    this.state.ticks += 1;
  }

  inc() {
    this.state.count += 1;
  }

  /** A room session's event: a broadcast to its room (a plain session has none to say it to). */
  async say() {
    if (this.state.room !== '') await this.broadcast(this.state.room, { said: true });
  }

  handleInfo() {
    this.state.heard += 1;
  }
}

/** A SoakView in one of the rooms: a topic, presence and the presence diffs of its neighbours. */
export class RoomView extends SoakView {
  mount() {
    return { ...super.mount(), room: `room-${Math.floor(Math.random() * ROOMS)}` };
  }

  async onJoin() {
    await this.subscribe(this.state.room);
    await this.track(this.state.room);
    this.state.present = (await this.presence(this.state.room)).length;
  }

  async onPresence() {
    this.state.present = (await this.presence(this.state.room)).length;
  }
}
