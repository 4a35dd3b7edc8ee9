/** The one place the process environment is read; everything else receives a VigieConfig. */
export function readEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}
