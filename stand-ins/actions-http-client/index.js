// Stands in for @actions/http-client (see README.md): what @actions/core imports from it.
import { notBundled } from './errors.js'

export class HttpClient {
  constructor() {
    throw notBundled('HttpClient (core.getIDToken)')
  }
}
