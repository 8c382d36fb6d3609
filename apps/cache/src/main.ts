/** The cache service (distributed mode); `--help` prints its usage without starting it. */
import 'reflect-metadata';
import { serviceMain } from '@strata/runtime';
import { CACHE_USAGE } from './usage';

serviceMain('cache', CACHE_USAGE);
