// The database contract through pgbouncer in transaction mode (scripts/pgbouncer.sh): the tenant
// filter, RLS and transactions hold when server connections are shared between transactions.
import { databaseContract } from './database.case.ts';
import { pgbouncerFactory } from './fixtures.ts';

databaseContract(pgbouncerFactory);
