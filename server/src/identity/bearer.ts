/** The credential of an `Authorization: Bearer …` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ')
    return null;
  const credential = header.slice(7).trim();
  return credential === '' || /\s/.test(credential) ? null : credential;
}
