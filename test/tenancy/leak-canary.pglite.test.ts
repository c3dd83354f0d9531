import { pgliteFactory } from '../data/fixtures.ts';
import { leakCanary } from './leak-canary.case.ts';

leakCanary(pgliteFactory);
