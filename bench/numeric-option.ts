/** The number given on the command line as `--<name>=<number>`, or `fallback`. */
export function numericOption(name: string, fallback: number): number {
  return Number(
    process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3) ??
      fallback,
  );
}
