import { ConnectionError, type Permission, RestClient, RestError } from "@tokenspace/sdk";
import { RemoteError, UsageError } from "../domain/errors.js";
import { type Flags, permissionList, print, projectOf } from "./cli-flags.js";
import { printIssuedToken } from "./store-commands.js";

/** Whether the command talks to a running server (`--url` or TOKENSPACE_URL) rather than the store. */
export function isRemote(flags: Flags): boolean {
  return Boolean(flags.url ?? process.env.TOKENSPACE_URL);
}

/** Runs a command that only a running server can answer. */
export function remoteOnly(flags: Flags, run: () => Promise<void>): Promise<void> {
  if (!isRemote(flags)) {
    throw new UsageError(
      "This command works on a running server: give --url URL (or set TOKENSPACE_URL).",
    );
  }
  return run();
}

export function client(flags: Flags): RestClient {
  const baseUrl = flags.url ?? process.env.TOKENSPACE_URL;
  const project = projectOf(flags);
  const token = flags.token ?? process.env.TOKENSPACE_TOKEN;
  if (!baseUrl || !project || !token) {
    throw new UsageError(
      "Remote token commands need --url, --project and --token (or TOKENSPACE_URL, TOKENSPACE_PROJECT_ID and TOKENSPACE_TOKEN).",
    );
  }
  return new RestClient({ baseUrl, project, token });
}

/** Runs one call on the server; an error answer or a lost connection is an expected failure. */
export async function remote<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RestError) {
      const said = `${error.method} ${error.url} returned ${error.statusCode}: ${error.detail}`;
      throw new RemoteError(said, { cause: error });
    }
    if (error instanceof ConnectionError) throw new RemoteError(error.message, { cause: error });
    throw error;
  }
}

/** The CLI passes what the user typed; the server names any unknown permission. */
const asPermissions = (value: string) => permissionList(value) as Permission[];

export async function listTokensRemotely(flags: Flags): Promise<void> {
  const tokens = await remote(() => client(flags).compat.tokens.iterate({ pageSize: 1000 }).all());
  print(
    flags,
    tokens,
    tokens.map((token) => `${token.id}  ${token.name}  ${token.permissions.join(",")}`).join("\n"),
  );
}

export async function createTokenRemotely(flags: Flags): Promise<void> {
  const { name, permissions } = flags;
  if (name === undefined || permissions === undefined) {
    throw new UsageError("tokens create needs --name NAME --permissions a,b,...");
  }
  const token = await remote(() =>
    client(flags).compat.tokens.create({ name, permissions: asPermissions(permissions) }),
  );
  printIssuedToken(flags, token);
}

export async function updateTokenRemotely(
  flags: Flags,
  tokenId: string | undefined,
): Promise<void> {
  if (!tokenId || (flags.name === undefined && flags.permissions === undefined)) {
    throw new UsageError("tokens update needs TOKEN_ID and --name NAME and/or --permissions a,b");
  }
  const token = await remote(() =>
    client(flags).compat.tokens.update(tokenId, {
      ...(flags.name !== undefined && { name: flags.name }),
      ...(flags.permissions !== undefined && { permissions: asPermissions(flags.permissions) }),
    }),
  );
  printIssuedToken(flags, token);
}

export async function deleteTokenRemotely(
  flags: Flags,
  tokenId: string | undefined,
): Promise<void> {
  if (!tokenId) throw new UsageError("tokens delete needs TOKEN_ID");
  await remote(() => client(flags).compat.tokens.delete(tokenId));
  print(flags, { deleted: tokenId }, `Deleted token ${tokenId}`);
}
