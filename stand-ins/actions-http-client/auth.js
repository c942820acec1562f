// Stands in for @actions/http-client/lib/auth (see README.md): what @actions/core imports from it.
import { notBundled } from './errors.js'

export class BearerCredentialHandler {
  constructor() {
    throw notBundled('BearerCredentialHandler (core.getIDToken)')
  }
}
