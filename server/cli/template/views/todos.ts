import { randomUUID } from 'node:crypto';
import { LiveView } from 'livery';
import { z } from 'zod';
import { TodoSchema } from '../data/todo.ts';

interface TodoRow {
  id: string;
  title: string;
}

/**
 * `/todos`: the tenant's todo list. `this.scoped(TodoSchema)` only ever reads and writes this
 * tenant's rows, whatever the client sends.
 */
export class TodosView extends LiveView<{ todos: TodoRow[] }> {
  static template = 'todos.html';
  // A refused title is shown beside the field (`{{ errors.title }}` in the template).
  static events = { add: z.object({ title: z.string().trim().min(1, 'Give the todo a title.').max(200, 'Keep it under 200 characters.') }) };

  async mount() {
    return { todos: await this.#list() };
  }

  /** After the reply the form shows what the template renders: an empty title. */
  async add({ title }: { title: string }) {
    await this.scoped(TodoSchema).create({ id: randomUUID(), title });
    this.state.todos = await this.#list();
  }

  async #list(): Promise<TodoRow[]> {
    const rows = await this.scoped(TodoSchema).find({}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((row) => ({ id: row.id, title: row.title }));
  }
}
