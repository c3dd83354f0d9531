// The tenant leak canary through pgbouncer in transaction mode (scripts/pgbouncer.sh).
import { pgbouncerFactory } from '../data/fixtures.ts';
import { leakCanary } from './leak-canary.case.ts';

leakCanary(pgbouncerFactory);
