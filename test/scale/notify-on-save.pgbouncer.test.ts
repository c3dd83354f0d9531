// Notify on save through pgbouncer in transaction mode (scripts/pgbouncer.sh): saves are announced
// after COMMIT through Livery's pub/sub, not LISTEN/NOTIFY, so the pooler changes nothing (D39).
import t from 'tap';
import { pgbouncerFactory } from '../data/fixtures.ts';
import { notifyOnSave } from './notify-on-save.case.ts';

await notifyOnSave(t, pgbouncerFactory);
