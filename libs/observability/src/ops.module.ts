import { Module } from '@nestjs/common';
import { OpsHttpController } from './ops.http-controller';

/** `/health/live`, `/health/ready`, `/metrics`: imported by every service that serves HTTP. */
@Module({ controllers: [OpsHttpController] })
export class OpsModule {}
