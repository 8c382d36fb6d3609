/** The embedding service (distributed mode); `--help` prints its usage without starting it. */
import 'reflect-metadata';
import { serviceMain } from '@strata/runtime';
import { EMBEDDING_USAGE } from './usage';

serviceMain('embedding', EMBEDDING_USAGE);
