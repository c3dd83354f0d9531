// Notify on save on PostgreSQL (notify-on-save.case.ts).
import t from 'tap';
import { postgresFactory } from '../data/fixtures.ts';
import { notifyOnSave } from './notify-on-save.case.ts';

await notifyOnSave(t, postgresFactory);
