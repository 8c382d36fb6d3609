import { Controller, Get, Param, Res } from '@nestjs/common';
import { ErrorCode, StrataError } from '@strata/contracts';
import { RouteAccess } from '@strata/observability';
import { type FastifyReply } from 'fastify';
import { type ConsoleAsset, loadConsoleAssets } from './console-assets';

/**
 * The page may only load its own files and call this gateway: no inline script, no other origin, no framing.
 * The API key the user pastes stays in the tab's sessionStorage and leaves only as `X-Strata-Key` to this origin.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The web console (`/console`): static files, public like any login page. Everything it shows comes from the
 * API with the key the user gives it, so a tenant key sees its own tenant only and an admin key what admins see.
 */
@Controller('console')
@RouteAccess('public')
export class ConsoleHttpController {
  private readonly assets = loadConsoleAssets();

  @Get()
  index(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.send(reply, file);
  }

  private send(reply: FastifyReply, name: string): void {
    const asset: ConsoleAsset | undefined = this.assets.get(name);
    if (!asset) {
      throw new StrataError(
        ErrorCode.NotFound,
        this.assets.size === 0 ? 'the console files are not installed with this gateway' : `no console file ${name}`,
      );
    }
    void reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.contentType }).send(asset.body);
  }
}
