/** The gateway: in the embedded default (what `npm start` runs) it also starts the other three services in this process. */
import 'reflect-metadata';
import { runService } from '@strata/runtime';

runService('gateway');
