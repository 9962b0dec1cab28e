// The instants an error message suggests ("…; write 2013-10-26T00:00+08:00 or 2013-10-26T00:00[Asia/Shanghai]"),
// with the quoted input the message repeats left out (as JSON `"…"` or HTML-escaped `&#34;…&#34;`).

export function suggestedInstants(message: string): string[] {
  const unquoted = message.replace(/"(?:[^"\\]|\\.)*"/g, '').replace(/&#34;.*?&#34;/g, '');
  return [...unquoted.matchAll(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}|\[[A-Za-z_/+-]+\])/g)].map((m) => m[0]);
}
