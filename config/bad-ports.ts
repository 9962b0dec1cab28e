// Ports that browsers and Node's fetch refuse to connect to: the WHATWG Fetch standard's "bad port" list
// (https://fetch.spec.whatwg.org/#port-blocking). A gateway, emulator or shop on one of them starts
// fine and then cannot be reached, so configuration refuses them up front.

const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function isBadPort(port: number): boolean {
  return BAD_PORTS.has(port);
}

/** The port a URL connects to (its explicit port, or the scheme's default). */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** A problem naming `setting` when a port of [first, first + count) is refused or out of range; else undefined. */
export function portRangeProblem(setting: string, first: number, count: number): string | undefined {
  const last = first + count - 1;
  const what = count === 1 ? `port ${first}` : `ports ${first}–${last}`;
  if (last > 65535) return `${setting}: ${what} run past 65535; choose a lower port`;
  for (let port = first; port <= last; port++) {
    if (!isBadPort(port)) continue;
    const refused = count === 1 ? `${what} is refused` : `${what} include ${port}, which is refused`;
    return `${setting}: ${refused} by browsers and fetch (a WHATWG "bad port"); choose another`;
  }
  return undefined;
}
