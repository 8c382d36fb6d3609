import { Controller, Get } from '@nestjs/common';
import { RouteAccess } from '@strata/observability';
import { openApiDocument } from './openapi-document';

/** `GET /openapi.json`: the gateway's API, for clients, code generators and API tools; public like the API's shape. */
@Controller()
export class OpenApiHttpController {
  @Get('openapi.json')
  @RouteAccess('public')
  document(): object {
    return openApiDocument();
  }
}
