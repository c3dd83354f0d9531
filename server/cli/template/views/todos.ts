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
export class TodosView extends LiveView<{ todos: TodoRow[]; error: string }> {
  static template = 'todos.html';
  static events = { add: z.object({ title: z.string().max(200) }) };

  async mount() {
    return { todos: await this.#list(), error: '' };
  }

  async add({ title }: { title: string }) {
    const trimmed = title.trim();
    if (trimmed === '') {
      this.state.error = 'Give the todo a title.';
      return;
    }
    await this.scoped(TodoSchema).create({ id: randomUUID(), title: trimmed });
    this.state.error = '';
    this.state.todos = await this.#list();
  }

  async #list(): Promise<TodoRow[]> {
    const rows = await this.scoped(TodoSchema).find({}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((row) => ({ id: row.id, title: row.title }));
  }
}
