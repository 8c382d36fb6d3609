import 'reflect-metadata';
import { runService } from '@strata/runtime';

runService('invalidation');
