/** The gateway: in the embedded default (what `npm start` runs) it also starts the other three services in this process. */
import 'reflect-metadata';
import { serviceMain } from '@strata/runtime';
import { GATEWAY_USAGE } from './usage';

serviceMain('gateway', GATEWAY_USAGE);
