import { Controller, Get, Header } from '@nestjs/common';
import { SigningKeys } from './sessions/signing-keys.js';

/** Public keys for every service that verifies our access tokens. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.keys.jwks;
  }
}
