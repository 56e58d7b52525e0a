import { FLAGS, type FlagName } from "./cli-flags.js";
import { COMMANDS, type Command, type Section } from "./commands.js";

const SECTION_NOTES: Record<Section, string> = {
  Server: "Server:",
  "On the store": "On the store DATABASE_URL names, for operator set-up and recovery:",
  "On the store or a running server":
    "On the store with --project ID, or on a running server with --url:",
  "On a running server": "On a running server, through its API (--url, or TOKENSPACE_URL):",
};

const EXIT_CODES = `Exit codes:
  0  success
  1  the command failed (a message says why: bad input, unknown project, unreachable store)
  2  the command line is wrong (unknown command or flag); the usage follows
`;

const LINE = 100;

/** `left` in a column `width` wide, then `text` wrapped at LINE columns. */
function column(left: string, text: string, width: number): string {
  const lines = [""];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    const line = lines[last] ?? "";
    if (line !== "" && width + line.length + 1 + word.length > LINE) lines.push(word);
    else lines[last] = line === "" ? word : `${line} ${word}`;
  }
  const indent = " ".repeat(width);
  const first = left.length < width ? `${left.padEnd(width)}` : `${left}\n${indent}`;
  return `${first}${lines.join(`\n${indent}`)}`;
}

function flagLine(name: FlagName): string {
  const spec: { value?: string; env?: string; short?: string; text: string } = FLAGS[name];
  const short = spec.short ? `-${spec.short}, ` : "";
  const left = `  ${short}--${name}${spec.value ? ` ${spec.value}` : ""}`;
  return column(left, `${spec.text}${spec.env ? ` (env ${spec.env})` : ""}`, 28);
}

/** The overview `tokenspace --help` prints: every command, then the exit codes. */
export function overview(): string {
  const sections = new Map<Section, Command[]>();
  for (const command of COMMANDS) {
    sections.set(command.section, [...(sections.get(command.section) ?? []), command]);
  }
  const listed = [...sections].map(([section, commands]) =>
    [
      SECTION_NOTES[section],
      ...commands.map((command) => column(`  ${command.name}`, command.summary, 28)),
    ].join("\n"),
  );
  return `Usage: tokenspace <command> [options]

${listed.join("\n\n")}

Options for every command:
${flagLine("json")}
${flagLine("help")}
${flagLine("version")}

"tokenspace help COMMAND" or "tokenspace COMMAND --help" shows a command's flags and environment.

${EXIT_CODES}`;
}

/** One command's usage, flags and environment. */
export function commandHelp(command: Command): string {
  const [first, ...more] = command.usage.map((form) =>
    `tokenspace ${command.name} ${form}`.trimEnd(),
  );
  const environment = command.environment ?? [];
  return [
    `Usage: ${first}`,
    ...more.map((form) => `       ${form}`),
    "",
    `${command.summary}.`,
    "",
    "Options:",
    ...command.flags.map(flagLine),
    flagLine("help"),
    ...(environment.length > 0
      ? ["", "Environment:", ...environment.map(([name, text]) => column(`  ${name}`, text, 38))]
      : []),
    "",
    EXIT_CODES,
  ].join("\n");
}
