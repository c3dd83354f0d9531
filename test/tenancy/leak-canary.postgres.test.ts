import { postgresFactory } from '../data/fixtures.ts';
import { leakCanary } from './leak-canary.case.ts';

leakCanary(postgresFactory);
