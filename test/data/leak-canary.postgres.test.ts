import { postgresFactory } from './fixtures.ts';
import { leakCanary } from './leak-canary.case.ts';

leakCanary(postgresFactory);
