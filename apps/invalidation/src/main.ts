/** The invalidation service (distributed mode); `--help` prints its usage without starting it. */
import 'reflect-metadata';
import { serviceMain } from '@strata/runtime';
import { INVALIDATION_USAGE } from './usage';

serviceMain('invalidation', INVALIDATION_USAGE);
