import { databaseContract } from './database.case.ts';
import { pgliteFactory } from './fixtures.ts';

databaseContract(pgliteFactory);
