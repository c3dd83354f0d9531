// The data layer's leak canary through pgbouncer in transaction mode (scripts/pgbouncer.sh).
import { pgbouncerFactory } from './fixtures.ts';
import { leakCanary } from './leak-canary.case.ts';

leakCanary(pgbouncerFactory);
