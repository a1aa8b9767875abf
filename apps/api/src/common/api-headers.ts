/**
 * Node keeps only the first of repeated Authorization headers (and joins X-API-Key ones):
 * a request that carries two credentials is ambiguous and refused, never silently
 * resolved to one of them. Runs on every request: names are lower-cased only when their
 * length could make them one of the two.
 */
export function repeatedCredentialHeader(rawHeaders: string[]): string | null {
  let authorization = false;
  let apiKey = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      if (authorization) return 'Authorization';
      authorization = true;
    } else if (name.length === 9 && name.toLowerCase() === 'x-api-key') {
      if (apiKey) return 'X-API-Key';
      apiKey = true;
    }
  }
  return null;
}
