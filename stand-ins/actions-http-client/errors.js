/** The one error every export throws: what is missing and why, for whoever meets it. */
export function notBundled(name) {
  return new Error(
    `${name} is not available: this action bundles a stand-in for @actions/http-client, which ` +
      '@actions/core loads only for OIDC tokens (core.getIDToken), and the action asks for none.'
  )
}
