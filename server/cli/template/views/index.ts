import { route } from 'livery';
import { HomeView } from './home.ts';
import { TodosView } from './todos.ts';

export const routes = [
  route('/', HomeView, { title: '__APP_NAME__' }),
  route('/todos', TodosView, { title: 'Todos · __APP_NAME__' }),
];
